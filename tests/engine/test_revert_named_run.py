"""A revert names what it undoes, and a repeat of it is a no-op.

A deploy system that retries ``migsafe revert --yes`` (four started together) used to undo the
deploy and then the run before it. ``--run RUN_ID`` undoes exactly that run and, once it is
reverted, does nothing and says so; ``--from-heads`` does nothing, or refuses, when the
database is not where the revert expects to start. ``upgrade`` gives the run id to pass.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import psycopg

from migsafe.engine.lock import LOCK_KEY

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.engine.conftest import Db, MiniProject


R1 = """
    op.create_table(
        "items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
    )
    op.execute("INSERT INTO items (id, name) VALUES (1, 'a'), (2, 'b')")
"""
R2 = """
    op.add_column("items", sa.Column("price", sa.Integer, nullable=True))
    op.execute("UPDATE items SET price = id * 100")
    op.create_table("tags", sa.Column("id", sa.Integer, primary_key=True))
"""


def _two_runs(project: MiniProject, db: Db) -> tuple[str, str]:
    """Run A applies r1, run R applies r2; both ids, as `upgrade --format json` gives them."""
    project.add("r1", R1)
    first = project.upgrade(db.url, "--format", "json")
    assert first.returncode == 0, project.explain(first)
    project.add("r2", R2)
    second = project.upgrade(db.url, "--format", "json")
    assert second.returncode == 0, project.explain(second)
    return json.loads(first.stdout)["run_id"], json.loads(second.stdout)["run_id"]


def _waiting_runners(db: Db) -> int:
    return int(
        db.scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'migsafe-runner%'"
        )
    )


def test_four_concurrent_reverts_of_one_run_revert_it_once_and_leave_the_run_before(
    project: MiniProject,
    pg_db: Db,
    pg_connect: Callable[..., psycopg.Connection[object]],
    processes: list,
) -> None:
    """They all wait for the runner lock (held here until the four are waiting): one reverts,
    the other three find it reverted and exit 0; what run A left is exactly what remains."""
    project.add("r1", R1)
    first = project.upgrade(pg_db.url, "--format", "json")
    assert first.returncode == 0, project.explain(first)
    after_a = pg_db.fingerprint()
    project.add("r2", R2)
    second = project.upgrade(pg_db.url, "--format", "json")
    assert second.returncode == 0, project.explain(second)
    deploy = json.loads(second.stdout)["run_id"]
    assert deploy and deploy != json.loads(first.stdout)["run_id"]

    holder = pg_connect()
    with holder.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
    for _ in range(4):
        processes.append(project.popen(pg_db.url, "revert", "--yes", "--run", deploy))
    assert pg_db.wait_for(lambda: _waiting_runners(pg_db) >= 4, timeout=60), (
        "the four reverts never all waited for the runner lock"
    )
    with holder.cursor() as cur:
        cur.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
    outputs = [proc.communicate(timeout=120) for proc in processes]
    codes = [proc.returncode for proc in processes]
    assert codes == [0, 0, 0, 0], outputs
    reverted = [out for out, _ in outputs if "reverted 1 migration" in out]
    already = [out for out, _ in outputs if "already reverted by run" in out]
    assert len(reverted) == 1 and len(already) == 3, outputs

    assert pg_db.heads() == ("r1",)
    pg_db.assert_unchanged(after_a)
    runs = pg_db.runs()
    reverts = [r for r in runs if r.command == "revert"]
    assert len(reverts) == 1 and reverts[0].status == "succeeded"
    by_id = {r.run_id: r for r in runs}
    assert by_id[deploy].reverted_by == reverts[0].run_id
    assert by_id[json.loads(first.stdout)["run_id"]].reverted_by is None


def test_a_repeat_of_the_same_revert_is_a_no_op(project: MiniProject, pg_db: Db) -> None:
    _, deploy = _two_runs(project, pg_db)
    done = project.run(pg_db.url, "revert", "--yes", "--run", deploy)
    assert done.returncode == 0, project.explain(done)
    assert pg_db.heads() == ("r1",)
    pg_db.execute("INSERT INTO items (id, name) VALUES (3, 'written since')")
    reverted = pg_db.fingerprint()
    again = project.run(pg_db.url, "revert", "--yes", "--run", deploy, "--format", "json")
    assert again.returncode == 0, project.explain(again)
    document = json.loads(again.stdout)
    assert document["status"] == "noop"
    assert document["message"].startswith(f"run {deploy} was already reverted by run ")
    pg_db.assert_unchanged(reverted)
    assert len([r for r in pg_db.runs() if r.command == "revert"]) == 1


def test_from_heads_is_a_no_op_after_its_revert_and_refuses_elsewhere(
    project: MiniProject, pg_db: Db
) -> None:
    _two_runs(project, pg_db)
    assert (
        project.run(pg_db.url, "revert", "--yes", "--from-heads", "r2", "--dry-run").returncode == 0
    )
    done = project.run(pg_db.url, "revert", "--yes", "--from-heads", "r2")
    assert done.returncode == 0, project.explain(done)
    assert pg_db.heads() == ("r1",)
    after = pg_db.fingerprint()
    again = project.run(pg_db.url, "revert", "--yes", "--from-heads", "r2")
    assert again.returncode == 0, project.explain(again)
    assert "already reverted by run" in again.stdout
    pg_db.assert_unchanged(after)
    elsewhere = project.run(pg_db.url, "revert", "--yes", "--from-heads", "r9")
    assert elsewhere.returncode == 2, project.explain(elsewhere)
    assert "error: the database is at r1, not at r9 (--from-heads); nothing done" in (
        elsewhere.stderr
    )
    pg_db.assert_unchanged(after)


def test_a_run_that_is_not_the_last_is_refused_naming_the_newer_one(
    project: MiniProject, pg_db: Db
) -> None:
    first, deploy = _two_runs(project, pg_db)
    before = pg_db.fingerprint()
    proc = project.run(pg_db.url, "revert", "--yes", "--run", first)
    assert proc.returncode == 2, project.explain(proc)
    assert f"run {first} left the database at r1, but it is now at r2" in proc.stderr
    assert f"run {deploy} moved it since" in proc.stderr
    pg_db.assert_unchanged(before)
