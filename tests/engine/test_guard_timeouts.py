"""lock_timeout, retries and statement_timeout on PostgreSQL.

A migration that needs an ACCESS EXCLUSIVE lock queues behind a long transaction; every query
on the table then queues behind the migration. migsafe's lock_timeout bounds how long those
queries stall, the whole transaction is retried with backoff, and when the retries run out the
database is exactly as before (exit 4).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import psycopg

if TYPE_CHECKING:
    from tests.engine.conftest import Db, MiniProject

LOCK_TIMEOUT = 1.0

ADD_COLUMN = """
    op.add_column("t", sa.Column("flag", sa.Boolean, nullable=True))
    op.execute("UPDATE t SET flag = true")
"""


class Reader(threading.Thread):
    """Session C: `SELECT count(*) FROM t` in a loop, recording each query's latency."""

    def __init__(self, connect: Callable[..., psycopg.Connection[Any]]) -> None:
        super().__init__(daemon=True)
        self.conn = connect()
        self.conn.execute("SET statement_timeout = '60s'")
        self.conn.execute("SET lock_timeout = 0")
        self.stop = threading.Event()
        self.latencies: list[float] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                t0 = time.monotonic()
                self.conn.execute("SELECT count(*) FROM t").fetchone()
                self.latencies.append(time.monotonic() - t0)
                time.sleep(0.01)
        except BaseException as exc:  # reported by the test
            self.error = exc

    def finish(self) -> float:
        self.stop.set()
        self.join(timeout=30)
        assert not self.is_alive(), "session C is still blocked"
        assert self.error is None, f"session C failed: {self.error!r}"
        assert self.latencies, "session C ran no query"
        return max(self.latencies)


def _table_t(db: Db) -> None:
    db.execute(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)",
        "INSERT INTO t VALUES (1, 'a'), (2, NULL), (3, 'ç')",
    )


def test_lock_timeout_retries_then_rolls_back_without_stalling_readers(
    project: MiniProject, pg_db: Db, pg_connect: Callable[..., psycopg.Connection[Any]]
) -> None:
    _table_t(pg_db)
    project.add("r1", ADD_COLUMN)
    before = pg_db.fingerprint()

    holder = pg_connect(autocommit=False)  # session A: an open transaction that read t
    holder.execute("SELECT * FROM t").fetchall()
    reader = Reader(pg_connect)
    reader.start()
    try:
        t0 = time.monotonic()
        proc = project.upgrade(pg_db.url, "--lock-timeout", "1s", "--retries", "2")
        elapsed = time.monotonic() - t0
    finally:
        max_latency = reader.finish()
        holder.rollback()

    assert proc.returncode == 4, project.explain(proc)
    pg_db.assert_unchanged(before)
    assert pg_db.heads() == ()
    run = pg_db.last_run()
    assert run.status == "rolled_back"
    assert run.attempts == 3
    assert run.failed_revision == "r1"
    assert "LockNotAvailable" in (run.error or "") or "lock timeout" in (run.error or "")
    # 3 attempts of 1 s each, plus two backoffs (~0.5 s and ~1 s).
    assert elapsed >= 3 * LOCK_TIMEOUT
    # The scenario is real: the migration's queued lock did stall session C ...
    assert max_latency > 0.5 * LOCK_TIMEOUT, f"C was never blocked ({max_latency:.2f}s)"
    # ... but only one attempt at a time: C ran again between the attempts, so its stalls come
    # in separate episodes (one long stall across every attempt would be one episode). An
    # order, not a time bound: a loaded machine slows C down but cannot merge the episodes.
    stalled = [latency > 0.5 * LOCK_TIMEOUT for latency in reader.latencies]
    episodes = sum(1 for i, s in enumerate(stalled) if s and (i == 0 or not stalled[i - 1]))
    assert episodes >= 2, f"C stalled once, across the retries: {reader.latencies}"


def test_lock_released_during_retries_then_upgrade_succeeds(
    project: MiniProject,
    pg_db: Db,
    pg_connect: Callable[..., psycopg.Connection[Any]],
    processes: list[Any],
) -> None:
    _table_t(pg_db)
    project.add("r1", ADD_COLUMN)
    holder = pg_connect(autocommit=False)
    holder.execute("LOCK TABLE t IN ACCESS SHARE MODE")
    watcher = pg_connect()

    def migration_waits_for_t() -> bool:
        row = watcher.execute(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 't'::regclass"
        ).fetchone()
        return bool(row and row[0])

    migration_waits_again = _waits_again(watcher)

    proc = project.popen(pg_db.url, "upgrade", "--lock-timeout", "1s", "--retries", "5")
    processes.append(proc)
    try:
        assert pg_db.wait_for(migration_waits_for_t, timeout=30), "migsafe never waited on t"
        # Hold on until the first attempt has timed out and the retry waits (polled, not
        # slept: a loaded machine may take longer), then let go.
        assert pg_db.wait_for(migration_waits_again, timeout=60), "migsafe never retried"
    finally:
        holder.rollback()
    out, err = proc.communicate(timeout=60)

    assert proc.returncode == 0, f"exit {proc.returncode}\n{out}\n{err}"
    assert pg_db.heads() == ("r1",)
    run = pg_db.last_run()
    assert run.status == "succeeded"
    assert run.attempts is not None and run.attempts > 1
    assert "flag" in pg_db.columns("t")
    assert pg_db.scalar("SELECT count(*) FROM t WHERE flag") == 3


def test_statement_timeout_rolls_back(project: MiniProject, pg_db: Db) -> None:
    project.chain(1)
    # A SELECT may call functions that change data: irreversible unless a downgrade() covers it.
    project.add("r2", 'op.execute("SELECT pg_sleep(2)")', 'op.execute("SELECT 1")')
    before = pg_db.fingerprint()

    # What proves the timeout acted is what happened (the error, the history, the state), not
    # how long it took: a loaded machine makes any bound on the duration flaky.
    proc = project.upgrade(pg_db.url, "--statement-timeout", "500ms")

    assert proc.returncode == 4, project.explain(proc)
    pg_db.assert_unchanged(before)
    assert pg_db.heads() == ()
    run = pg_db.last_run()
    assert run.status == "rolled_back"
    assert run.failed_revision == "r2"
    assert run.attempts == 1  # a statement timeout is not a lock timeout: no retry
    assert "statement timeout" in (run.error or "")
    assert "QueryCanceled" in (run.error or "")


def test_a_stored_revert_retries_a_lock_timeout_like_an_upgrade(
    project: MiniProject,
    pg_db: Db,
    pg_connect: Callable[..., psycopg.Connection[Any]],
    processes: list[Any],
) -> None:
    """A revert through the stored reverse runs on the same executor: a lock timeout rolls its
    transaction back and retries it, and it succeeds once the lock is gone."""
    _table_t(pg_db)
    project.add("r1", ADD_COLUMN)
    up = project.run(pg_db.url, "upgrade")
    assert up.returncode == 0, up.stderr
    holder = pg_connect(autocommit=False)
    holder.execute("LOCK TABLE t IN ACCESS SHARE MODE")
    watcher = pg_connect()
    revert_waits_again = _waits_again(watcher)

    proc = project.popen(pg_db.url, "revert", "--yes", "--lock-timeout", "1s", "--retries", "5")
    processes.append(proc)
    try:
        assert pg_db.wait_for(revert_waits_again, timeout=60), "the revert never retried"
    finally:
        holder.rollback()
    out, err = proc.communicate(timeout=60)

    assert proc.returncode == 0, f"exit {proc.returncode}\n{out}\n{err}"
    assert pg_db.heads() == ()
    run = pg_db.last_run()
    assert (run.command, run.status) == ("revert", "succeeded")
    assert run.attempts is not None and run.attempts > 1
    assert "flag" not in pg_db.columns("t")


def _waits_again(watcher: Any) -> Callable[[], bool]:
    """A predicate: migsafe's session has waited on a lock in two statements. Each attempt is
    a new statement, so a second start time is the retry, waiting again."""
    waits: set[Any] = set()

    def again() -> bool:
        rows = watcher.execute(
            "SELECT query_start FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND application_name LIKE 'migsafe run=%'"
        ).fetchall()
        waits.update(row[0] for row in rows)
        return len(waits) >= 2

    return again
