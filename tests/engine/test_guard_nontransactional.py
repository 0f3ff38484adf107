"""Non-transactional steps (PostgreSQL): an ``autocommit_block()`` runs alone, journaled.

The plan says which step cannot run in the transaction and why. When a concurrent index build
fails it leaves an INVALID index behind and the earlier steps are committed: migsafe exits 5 and
says where the database is; the next run drops the INVALID index before building it again.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import psycopg

if TYPE_CHECKING:
    from tests.engine.conftest import Db, MiniProject

CREATE_T = """
    op.create_table(
        "t",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("v", sa.String(20)),
    )
    op.execute("INSERT INTO t (id, v) VALUES {values}")
"""

CONCURRENT_INDEX = """
    with op.get_context().autocommit_block():
        op.create_index("ix_t_v", "t", ["v"], unique={unique}, postgresql_concurrently=True)
"""
DROP_CONCURRENT_INDEX = """
    with op.get_context().autocommit_block():
        op.drop_index("ix_t_v", table_name="t", postgresql_concurrently=True)
"""

ADD_COLUMN = """
    op.add_column("t", sa.Column("w", sa.Integer, nullable=True))
    op.execute("UPDATE t SET w = id * 10")
"""


def _project(project: MiniProject, *, values: str, unique: bool) -> None:
    project.add("r1", CREATE_T.format(values=values), 'op.drop_table("t")')
    project.add("r2", CONCURRENT_INDEX.format(unique=unique), DROP_CONCURRENT_INDEX)
    project.add("r3", ADD_COLUMN, 'op.drop_column("t", "w")')


def _index_state(db: Db) -> list[tuple[bool, bool]]:
    """(indisvalid, indisunique) of every index named ix_t_v."""
    return db.rows(
        "SELECT i.indisvalid, i.indisunique FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'ix_t_v'"
    )


def test_dry_run_marks_the_autocommit_step_and_the_upgrade_applies_it(
    project: MiniProject, pg_db: Db
) -> None:
    _project(project, values="(1, 'a'), (2, 'b'), (3, NULL)", unique=False)
    before = pg_db.fingerprint()

    proc = project.upgrade(pg_db.url, "--dry-run", "--format", "json")

    assert proc.returncode == 0, project.explain(proc)
    pg_db.assert_unchanged(before)
    result = json.loads(proc.stdout)
    assert result["dry_run"] is True
    steps = {s["revision"]: s for s in result["plan"]["steps"]}
    assert list(steps) == ["r1", "r2", "r3"]
    assert steps["r1"]["transactional"] is True
    assert steps["r3"]["transactional"] is True
    assert steps["r2"]["transactional"] is False
    reasons = " ".join(steps["r2"]["non_transactional_reasons"])
    assert "autocommit_block" in reasons, steps["r2"]
    assert "ix_t_v" in steps["r2"]["concurrent_indexes"]
    assert result["plan"]["guard"] != "transaction"

    proc = project.upgrade(pg_db.url, "--format", "json")

    assert proc.returncode == 0, project.explain(proc)
    assert json.loads(proc.stdout)["status"] == "succeeded"
    assert pg_db.heads() == ("r3",)
    assert _index_state(pg_db) == [(True, False)]
    assert pg_db.rows("SELECT id, w FROM t ORDER BY id") == [(1, 10), (2, 20), (3, 30)]
    run = pg_db.last_run()
    assert (run.status, run.from_revisions, run.to_revisions) == ("succeeded", (), ("r3",))
    journal = [(j["revision"], j["status"]) for j in pg_db.journal()]
    assert journal == [("r2", "started"), ("r2", "finished")]


def test_failed_concurrent_build_is_not_restored_then_cleaned_up_on_rerun(
    project: MiniProject, pg_db: Db
) -> None:
    # Duplicate values: the UNIQUE index cannot be built and stays behind, INVALID.
    _project(project, values="(1, 'a'), (2, 'dup'), (3, 'dup'), (4, NULL)", unique=True)

    proc = project.upgrade(pg_db.url)

    assert proc.returncode == 5, project.explain(proc)
    assert "the database is at r1" in proc.stderr, proc.stderr
    assert pg_db.heads() == ("r1",)
    assert _index_state(pg_db) == [(False, True)]
    assert "w" not in pg_db.columns("t")
    run = pg_db.last_run()
    assert run.status == "not_restored"
    assert run.failed_revision == "r2"
    assert run.from_revisions == ()
    assert run.at_revisions == ("r1",)
    assert "UniqueViolation" in (run.error or "") or "duplicate" in (run.error or "")

    pg_db.execute("DELETE FROM t WHERE id = 3")
    proc = project.upgrade(pg_db.url, "--format", "json")

    assert proc.returncode == 0, project.explain(proc)
    result = json.loads(proc.stdout)
    assert result["status"] == "succeeded"
    assert result["cleaned_up"] == ["public.ix_t_v"]
    assert pg_db.heads() == ("r3",)
    assert _index_state(pg_db) == [(True, True)]
    assert pg_db.rows("SELECT id, w FROM t ORDER BY id") == [(1, 10), (2, 20), (4, 40)]
    last = pg_db.last_run()
    assert (last.status, last.from_revisions, last.to_revisions) == ("succeeded", ("r1",), ("r3",))
    cleanup = [
        j for j in pg_db.journal() if j["run_id"] == last.run_id and j["status"] == "cleanup"
    ]
    assert len(cleanup) == 1
    assert "ix_t_v" in cleanup[0]["detail"] and "INVALID" in cleanup[0]["detail"]
    statuses = [j["status"] for j in pg_db.journal() if j["run_id"] == last.run_id]
    assert statuses == ["cleanup", "started", "finished"]


ENUM_TABLE = """
    op.create_table(
        "{table}",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("v", sa.String(20)),
        sa.Column("state", sa.Enum("on", "off", name="switch_state"), nullable=True),
    )
"""


def test_a_type_created_before_an_autocommit_step_is_not_created_again_after_it(
    project: MiniProject, pg_db: Db
) -> None:
    """Alembic remembers, for one command, the enum types create_table has created; `alembic
    upgrade head` runs r3 after r1 without CREATE TYPE switch_state a second time. The
    autocommit step between them does not start another env.py run that would forget it."""
    project.add("r1", ENUM_TABLE.format(table="t"), 'op.drop_table("t")')
    project.add("r2", CONCURRENT_INDEX.format(unique=False), DROP_CONCURRENT_INDEX)
    project.add("r3", ENUM_TABLE.format(table="t2"), 'op.drop_table("t2")')

    proc = project.upgrade(pg_db.url, "--format", "json")

    assert proc.returncode == 0, project.explain(proc)
    assert pg_db.heads() == ("r3",)
    assert pg_db.has_table("t2")
    journal = [(j["revision"], j["status"]) for j in pg_db.journal()]
    assert journal == [("r2", "started"), ("r2", "finished")]


def test_a_step_judged_as_it_runs_after_a_commit_point_is_refused_before_anything_runs(
    project: MiniProject, pg_db: Db
) -> None:
    """r3 changes existing rows on the connection (only judged as it runs) and has no
    downgrade(); it comes after r2 commits outside a transaction. Refused there, it would
    leave the database at r2, and a rerun would meet the same refusal: refused up front."""
    project.add("r1", CREATE_T.format(values="(1, 'a'), (2, 'b')"), 'op.drop_table("t")')
    project.add("r2", CONCURRENT_INDEX.format(unique=False), DROP_CONCURRENT_INDEX)
    project.add("r3", 'op.get_bind().execute(sa.text("UPDATE t SET v = upper(v)"))')
    before = pg_db.fingerprint()

    proc = project.upgrade(pg_db.url)

    assert proc.returncode == 2, project.explain(proc)
    assert "r3" in proc.stderr and "before anything ran" in proc.stderr, proc.stderr
    pg_db.assert_unchanged(before)
    assert pg_db.heads() == ()
    assert pg_db.journal() == []

    covered = project.upgrade(pg_db.url, "--allow-irreversible")
    assert covered.returncode == 0, project.explain(covered)
    assert pg_db.rows("SELECT v FROM t ORDER BY id") == [("A",), ("B",)]


def test_a_retry_after_the_autocommit_step_still_remembers_the_enum_type(
    project: MiniProject, pg_db: Db, pg_connect: Callable[..., psycopg.Connection[Any]]
) -> None:
    """r3 meets a lock held by another session and times out once. Its retry is a new env.py
    run from the commit after r2: Alembic's memory that r1 created switch_state comes along,
    so r3's create_table does not CREATE TYPE switch_state again (DuplicateObject)."""
    pg_db.execute("CREATE TABLE u (id INTEGER PRIMARY KEY)")
    project.add("r1", ENUM_TABLE.format(table="t"), 'op.drop_table("t")')
    project.add(
        "r2",
        'with op.get_context().autocommit_block():\n    op.execute("ANALYZE t")',
        "pass",
    )
    project.add(
        "r3",
        ENUM_TABLE.format(table="t2") + '    op.add_column("u", sa.Column("w", sa.Integer))\n',
        'op.drop_column("u", "w")\nop.drop_table("t2")',
    )
    holder = pg_connect(autocommit=False)
    holder.execute("SELECT * FROM u").fetchall()  # holds ACCESS SHARE on u until released
    watcher = pg_connect()
    release = threading.Thread(target=_release_on_second_wait, args=(watcher, holder))
    release.start()
    try:
        proc = project.upgrade(pg_db.url, "--lock-timeout", "1s", "--retries", "2")
    finally:
        release.join(timeout=120)
        holder.rollback()

    assert proc.returncode == 0, project.explain(proc)
    assert pg_db.heads() == ("r3",)
    assert pg_db.has_table("t2")
    run = pg_db.last_run()
    assert run.attempts == 4  # r1, r2, and r3 twice


def _release_on_second_wait(
    watcher: psycopg.Connection[Any], holder: psycopg.Connection[Any]
) -> None:
    """Commit the holder once migsafe waits on the lock a second time (its retry), so that
    the first attempt times out for sure and the retry goes through."""
    seen: set[Any] = set()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        rows = watcher.execute(
            "SELECT query_start FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND application_name LIKE 'migsafe run=%'"
        ).fetchall()
        seen.update(row[0] for row in rows)
        if len(seen) >= 2:
            break
        time.sleep(0.05)
    holder.commit()
