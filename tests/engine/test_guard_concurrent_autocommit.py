"""Concurrent index builds without ``autocommit_block()`` (PostgreSQL).

``op.create_index(..., postgresql_concurrently=True)`` outside an autocommit block works under
plain Alembic when env.py hands over an autocommit connection. migsafe finds such steps in the
source and runs each one outside the transaction on a connection in autocommit, journaled like
an ``autocommit_block()`` step; upgrade, the stored reverse and ``--use-downgrade`` alike.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.engine.conftest import Db, MiniProject

BUILD = 'op.create_index("ix_t_v", "t", ["v"], unique={unique}, postgresql_concurrently=True)'
DROP = 'op.drop_index("ix_t_v", table_name="t", postgresql_concurrently=True)'
RAW_BUILD = 'op.execute("CREATE INDEX CONCURRENTLY ix_t_v ON t (v)")'
RAW_DROP = 'op.execute("DROP INDEX CONCURRENTLY ix_t_v")'
ADD_COLUMN = """
    op.add_column("t", sa.Column("w", sa.Integer, nullable=True))
    op.execute("UPDATE t SET w = id * 10")
"""


def _chain(project: MiniProject, db: Db, *, build: str, drop: str, values: str) -> None:
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", f"INSERT INTO t VALUES {values}")
    project.add("r1", build, drop)
    project.add("r2", ADD_COLUMN, 'op.drop_column("t", "w")')


def _index(db: Db) -> list[tuple[bool, bool]]:
    return db.rows(
        "SELECT i.indisvalid, i.indisunique FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'ix_t_v'"
    )


def _assert_back_at_base(db: Db) -> None:
    assert db.heads() == ()
    assert _index(db) == []
    assert db.columns("t") == ["id", "v"]
    assert db.rows("SELECT id, v FROM t ORDER BY id") == [(1, "a"), (2, "b")]


@pytest.mark.parametrize(
    ("build", "drop"),
    [(BUILD.format(unique=False), DROP), (RAW_BUILD, RAW_DROP)],
    ids=["op-calls", "raw-sql"],
)
def test_upgrade_runs_the_build_in_autocommit_and_both_reverts_undo_it(
    project: MiniProject, pg_db: Db, build: str, drop: str
) -> None:
    _chain(project, pg_db, build=build, drop=drop, values="(1, 'a'), (2, 'b')")

    dry = project.upgrade(pg_db.url, "--dry-run", "--format", "json")
    assert dry.returncode == 0, project.explain(dry)
    steps = {s["revision"]: s for s in json.loads(dry.stdout)["plan"]["steps"]}
    assert steps["r1"]["transactional"] is False and steps["r1"]["autocommit"] is True
    assert steps["r1"]["concurrent_indexes"] == ["ix_t_v"]
    assert steps["r2"]["transactional"] is True

    up = project.upgrade(pg_db.url)
    assert up.returncode == 0, project.explain(up)
    assert pg_db.heads() == ("r2",)
    assert _index(pg_db) == [(True, False)]
    assert [(j["revision"], j["status"]) for j in pg_db.journal()] == [
        ("r1", "started"),
        ("r1", "finished"),
    ]

    # The stored reverses (the index is dropped inside the revert's transaction).
    back = project.run(pg_db.url, "revert", "--yes")
    assert back.returncode == 0, project.explain(back)
    _assert_back_at_base(pg_db)

    # downgrade(): drop_index(..., postgresql_concurrently=True) runs in autocommit as well.
    again = project.upgrade(pg_db.url)
    assert again.returncode == 0, project.explain(again)
    down = project.run(pg_db.url, "revert", "--use-downgrade", "--yes")
    assert down.returncode == 0, project.explain(down)
    _assert_back_at_base(pg_db)


def test_a_failed_build_in_autocommit_is_reported_and_cleaned_up_on_the_next_run(
    project: MiniProject, pg_db: Db
) -> None:
    _chain(
        project,
        pg_db,
        build=BUILD.format(unique=True),
        drop=DROP,
        values="(1, 'a'), (2, 'dup'), (3, 'dup')",
    )

    proc = project.upgrade(pg_db.url)

    assert proc.returncode == 5, project.explain(proc)
    assert _index(pg_db) == [(False, True)]  # what a failed concurrent build leaves
    assert pg_db.last_run().failed_revision == "r1"

    pg_db.execute("DELETE FROM t WHERE id = 3")
    proc = project.upgrade(pg_db.url, "--format", "json")
    assert proc.returncode == 0, project.explain(proc)
    assert json.loads(proc.stdout)["cleaned_up"] == ["public.ix_t_v"]
    assert _index(pg_db) == [(True, True)]
    assert pg_db.heads() == ("r2",)
