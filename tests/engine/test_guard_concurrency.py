"""Concurrent runners and killed runners on PostgreSQL.

The runner lock (a session advisory lock) makes concurrent `migsafe upgrade` runs apply each
migration exactly once; a runner killed with SIGKILL leaves the database at its old revision,
the lock free, and its history row is closed as `interrupted` by the next run.
"""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import psycopg

from migsafe.engine.lock import LOCK_KEY

if TYPE_CHECKING:
    from tests.engine.conftest import Db, MiniProject

RUNNERS = 8


def _logging_step(k: int, sleep_s: float | None = None) -> str:
    """Step ``r{k}``: schema and data changes, logged into applied_log; optionally sleeps."""
    if k == 1:
        body = """
            op.create_table(
                "applied_log",
                sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                sa.Column("revision", sa.String(32), nullable=False),
            )
            op.execute("UPDATE seed SET note = COALESCE(note, '') || '+r1'")
        """
    else:
        body = f"""
            op.create_table("step{k}", sa.Column("id", sa.Integer, primary_key=True))
            op.add_column("seed", sa.Column("c{k}", sa.Integer, nullable=True))
            op.execute("UPDATE seed SET c{k} = id")
        """
    body += f"""
            op.execute("INSERT INTO applied_log (revision) VALUES ('r{k}')")
    """
    if sleep_s is not None:
        body += f"""
            op.execute("SELECT pg_sleep({sleep_s})")
        """
    return body


def _logging_undo(k: int) -> str:
    """A hand-written downgrade() of step ``r{k}``: it changes data migsafe cannot reverse
    (a log row, an UPDATE of ``note``), so this is what covers it (tested as it runs)."""
    if k == 1:
        return 'op.drop_table("applied_log")'
    return f'op.drop_column("seed", "c{k}")\nop.drop_table("step{k}")'


def _logging_chain(project: MiniProject, sleep_in: int, sleep_s: float) -> None:
    """r1..r5, each logging itself into applied_log; ``r{sleep_in}`` also sleeps."""
    for k in range(1, 6):
        project.add(f"r{k}", _logging_step(k, sleep_s if k == sleep_in else None), _logging_undo(k))


def _advisory_lock_holders(conn: psycopg.Connection[Any]) -> list[int]:
    rows = conn.execute(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
        "AND classid = %s AND objid = %s AND objsubid = 1 "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        ((LOCK_KEY >> 32) & 0xFFFFFFFF, LOCK_KEY & 0xFFFFFFFF),
    ).fetchall()
    return [r[0] for r in rows]


def test_eight_concurrent_upgrades_apply_each_migration_once(
    project: MiniProject, pg_db: Db, processes: list[subprocess.Popen[str]]
) -> None:
    _logging_chain(project, sleep_in=3, sleep_s=1)

    for _ in range(RUNNERS):
        processes.append(project.popen(pg_db.url, "upgrade"))
    outcomes = []
    for proc in processes:
        out, err = proc.communicate(timeout=120)
        outcomes.append((proc.returncode, out, err))

    codes = [code for code, _, _ in outcomes]
    assert set(codes) <= {0, 3}, "\n\n".join(
        f"exit {c}\n{o}\n{e}" for c, o, e in outcomes if c not in (0, 3)
    )
    assert 0 in codes
    assert pg_db.heads() == ("r5",)
    logged = [r[0] for r in pg_db.rows("SELECT revision FROM applied_log ORDER BY id")]
    assert logged == ["r1", "r2", "r3", "r4", "r5"]

    runs = pg_db.runs()
    assert [r for r in runs if r.status == "running"] == []
    assert all(r.status == "succeeded" for r in runs), [(r.run_id, r.status) for r in runs]
    # Runs that gave up on the lock (exit 3) never wrote a row; the others did, one each.
    assert len(runs) == codes.count(0)
    applied = [r for r in runs if r.from_revisions != r.to_revisions]
    assert len(applied) == 1, [(r.from_revisions, r.to_revisions) for r in runs]
    assert (applied[0].from_revisions, applied[0].to_revisions) == ((), ("r5",))
    assert applied[0].guard == "transaction"
    for noop in runs:
        if noop is not applied[0]:
            assert noop.from_revisions == noop.to_revisions == ("r5",)
            assert noop.guard == "none"  # a plan without steps
            assert noop.failed_revision is None


class Killed:
    """A migsafe run killed with SIGKILL while its migration backend was in pg_sleep(30)."""

    def __init__(
        self,
        project: MiniProject,
        db: Db,
        observer: psycopg.Connection[Any],
        processes: list[subprocess.Popen[str]],
    ) -> None:
        self.observer = observer
        runner = project.popen(db.url, "upgrade")
        processes.append(runner)
        backend = db.wait_for(lambda: self._sleeping() or runner.poll() is not None, timeout=30)
        assert runner.poll() is None, f"migsafe ended early: {runner.communicate()}"
        assert isinstance(backend, int)
        self.backend: int = backend
        (self.run,) = [r for r in db.runs() if r.status == "running"]
        assert _advisory_lock_holders(observer), "the runner should hold the advisory lock"
        runner.send_signal(signal.SIGKILL)
        runner.wait(timeout=10)
        assert runner.returncode == -signal.SIGKILL

    def _sleeping(self) -> int | None:
        row = self.observer.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state = 'active' AND query LIKE '%pg_sleep(30)%'"
        ).fetchone()
        return row[0] if row else None

    def backend_alive(self) -> bool:
        row = self.observer.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (self.backend,)
        ).fetchone()
        return bool(row and row[0])


def _observer(pg_connect: Callable[..., psycopg.Connection[Any]]) -> psycopg.Connection[Any]:
    observer = pg_connect()
    observer.execute("SET statement_timeout = '10s'")
    return observer


def _at_r1_with_sleeping_r3(project: MiniProject, db: Db) -> None:
    """r1 applied; r2..r5 pending, r3 sleeps 30 s (after r2's DDL on seed, uncommitted)."""
    _logging_chain(project, sleep_in=3, sleep_s=30)
    proc = project.upgrade(db.url, "r1")
    assert proc.returncode == 0, project.explain(proc)


def test_sigkill_mid_chain_leaves_old_revision_and_a_free_lock(
    project: MiniProject,
    pg_db: Db,
    pg_connect: Callable[..., psycopg.Connection[Any]],
    processes: list[subprocess.Popen[str]],
) -> None:
    _at_r1_with_sleeping_r3(project, pg_db)
    before = pg_db.fingerprint()
    observer = _observer(pg_connect)

    killed = Killed(project, pg_db, observer, processes)

    # The runner lock is a session lock on an idle connection: the server sees the client go.
    assert pg_db.wait_for(lambda: not _advisory_lock_holders(observer), timeout=5), (
        f"advisory lock still held by {_advisory_lock_holders(observer)} 5 s after the kill"
    )
    # The killed run's migration backend may still be inside pg_sleep(30), holding its
    # uncommitted DDL (ACCESS EXCLUSIVE on seed); whether it ends by itself is checked by
    # test_sigkill_ends_the_killed_runs_migration_backend_promptly. Here it is ended (as
    # PostgreSQL does once pg_sleep returns) to check the state and the recovery.
    if killed.backend_alive():
        observer.execute("SELECT pg_terminate_backend(%s)", (killed.backend,))
        assert pg_db.wait_for(lambda: not killed.backend_alive(), timeout=10)

    pg_db.assert_unchanged(before)
    assert pg_db.heads() == ("r1",)
    assert pg_db.run(killed.run.run_id).status == "running"

    project.rewrite("r3", _logging_step(3), _logging_undo(3))
    proc = project.upgrade(pg_db.url, "--lock-timeout", "2s", "--retries", "1")

    assert proc.returncode == 0, project.explain(proc)
    assert pg_db.heads() == ("r5",)
    closed = pg_db.run(killed.run.run_id)
    assert closed.status == "interrupted"
    assert closed.at_revisions == ("r1",)
    last = pg_db.last_run()
    assert (last.status, last.from_revisions, last.to_revisions) == ("succeeded", ("r1",), ("r5",))
    logged = [r[0] for r in pg_db.rows("SELECT revision FROM applied_log ORDER BY id")]
    assert logged == ["r1", "r2", "r3", "r4", "r5"]


def test_sigkill_ends_the_killed_runs_migration_backend_promptly(
    project: MiniProject,
    pg_db: Db,
    pg_connect: Callable[..., psycopg.Connection[Any]],
    processes: list[subprocess.Popen[str]],
) -> None:
    """A killed runner's statement must not run on (holding its locks) for long.

    PostgreSQL notices a vanished client only when it next reads from or writes to it, or,
    while a query runs, every ``client_connection_check_interval`` (PostgreSQL 14+, off by
    default). Without it the orphaned backend of this test keeps ACCESS EXCLUSIVE on ``seed``
    (and the row lock on alembic_version) for the whole pg_sleep(30): every query on seed and
    the next migsafe run wait for it.
    """
    _at_r1_with_sleeping_r3(project, pg_db)
    killed = Killed(project, pg_db, _observer(pg_connect), processes)

    gone = pg_db.wait_for(lambda: not killed.backend_alive(), timeout=5)

    assert gone, (
        f"the killed run's migration backend (pid {killed.backend}) still runs pg_sleep(30), "
        "holding ACCESS EXCLUSIVE on seed, 5 s after migsafe was killed"
    )
