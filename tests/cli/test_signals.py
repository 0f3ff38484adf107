"""Every signal ends a run with the exit code of the state the database is in, one line that
names the signal and that state, and a history row that tells the truth.

Each test starts the real CLI, waits (polling pg_stat_activity, pg_locks, /proc or the
history) until the run is in the phase under test, then signals it: waiting for the runner
lock, during the --backup pg_dump, mid-chain (exit 4 or, after a commit outside the
transaction, 5), after the COMMIT (exit 0: the work is done), during a restore; and with the
migration's session terminated from outside.
"""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from migsafe.engine.lock import LOCK_KEY
from tests.cli.conftest import (
    Db,
    add_revision,
    assert_fails,
    assert_ok,
    cli_args,
    cli_env,
    run_cli,
    show,
)
from tests.cli.test_snapshot_tools_killed import BIG, HELD_IN_RESTORE, backends, held_tools
from tests.support.pg import PgServer, find_bin_dir, local_cluster, pg_ctl
from tests.support.procs import tools_of, wait_for, wait_gone

ProjectFn = Callable[[str], Path]
WAIT = 60.0  # only a test that would hang reaches it
SIGNALS = [signal.SIGTERM, signal.SIGINT, signal.SIGHUP]
IDS = ["SIGTERM", "SIGINT", "SIGHUP"]


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[str]]]:
    """migsafe processes a test started; killed at teardown if still running."""
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=WAIT)


@pytest.fixture
def side(pg_server: PgServer, pg: Db) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """A session of the test's own, in a transaction (to hold locks)."""
    conn = psycopg.connect(pg_server.conninfo(make_url(pg.url).database))
    yield conn
    conn.close()


def start(
    started: list[subprocess.Popen[str]], ini: Path, url: str, *args: str
) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        cli_args(args, ini=ini, url=url),
        cwd=ini.parent,
        env=cli_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    started.append(proc)
    return proc


def until(proc: subprocess.Popen[str], condition: Callable[[], object], what: str) -> None:
    """Poll *condition* while migsafe runs; fail if migsafe ends first."""

    def ready() -> object:
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"migsafe ended early with {proc.returncode}\n{out}\n{err}")
        return condition()

    wait_for(ready, timeout=WAIT, message=what)


def signalled(proc: subprocess.Popen[str], signum: int) -> subprocess.CompletedProcess[str]:
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=WAIT)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def active_statement(db: Db, like: str) -> bool:
    """A migsafe run's session is running a statement that starts like *like*."""
    return bool(
        db.scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
            f"AND application_name LIKE 'migsafe run=%' AND query LIKE '{like}%'"
        )
    )


def running_row(db: Db) -> bool:
    runs = db.runs()
    return bool(runs) and runs[0].status == "running"


SLEEPING = '''"""sleeps

Revision ID: gen0004
Revises: gen0003
"""
from alembic import op

revision = "gen0004"
down_revision = "gen0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("INSERT INTO users (id, name) VALUES (2, 'second')")
    op.execute("SELECT pg_sleep(600)")


def downgrade() -> None:
    op.execute("DELETE FROM users WHERE id = 2")
'''

OUTSIDE = '''"""an index built outside the transaction

Revision ID: gen0004
Revises: gen0003
"""
from alembic import op

revision = "gen0004"
down_revision = "gen0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.get_context().autocommit_block():
        op.execute("CREATE INDEX CONCURRENTLY ix_users_name ON users (name)")


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.execute("DROP INDEX CONCURRENTLY ix_users_name")
'''

SLEEPING_AFTER = (
    SLEEPING.replace("gen0004", "gen0005")
    .replace('down_revision = "gen0003"', 'down_revision = "gen0004"')
    .replace("Revises: gen0003", "Revises: gen0004")
)

READS_GATE = '''"""reads the gate table (the test holds it)

Revision ID: gen0004
Revises: gen0003
"""
from alembic import op

revision = "gen0004"
down_revision = "gen0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("INSERT INTO users (id, name) SELECT 2, name FROM gate")


def downgrade() -> None:
    op.execute("DELETE FROM users WHERE id = 2")
'''


# -- before anything runs ---------------------------------------------------------------------


@pytest.mark.parametrize("signum", SIGNALS, ids=IDS)
def test_signal_while_waiting_for_the_runner_lock_changes_nothing(
    project: ProjectFn,
    pg: Db,
    pg_server: PgServer,
    started: list[subprocess.Popen[str]],
    signum: int,
) -> None:
    ini = project("generic") / "alembic.ini"
    before = pg.fingerprint()
    with psycopg.connect(pg_server.conninfo(make_url(pg.url).database), autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        proc = start(started, ini, pg.url, "upgrade", "--lock-wait", "10m")

        def waiting() -> bool:
            # migsafe's lock session has tried and failed at least once: after a failed try it
            # asks pg_locks who holds the lock, and that stays its last query while it sleeps
            # (the try itself is the last query for only a moment, which a loaded machine's
            # polling can miss for a whole minute).
            return bool(
                pg.scalar(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name "
                    "LIKE 'migsafe-runner run=%' AND (query LIKE '%FROM pg_locks l%' "
                    "OR query LIKE '%pg_try_advisory_lock%')"
                )
            )

        until(proc, waiting, "migsafe never waited for the lock")
        done = signalled(proc, signum)

    line = assert_fails(done, 4)
    name = signal.Signals(signum).name
    assert f"interrupted by {name} while waiting for the runner lock" in line, show(done)
    assert "nothing was committed" in line
    assert pg.fingerprint() == before
    assert pg.versions() == set()
    assert pg.runs() == []  # no run began


@pytest.mark.parametrize("signum", SIGNALS, ids=IDS)
def test_signal_during_the_backup_pg_dump_changes_nothing_and_leaves_nothing(
    project: ProjectFn,
    pg: Db,
    side: psycopg.Connection[tuple[object, ...]],
    started: list[subprocess.Popen[str]],
    signum: int,
) -> None:
    root = project("generic")
    pg.execute(*BIG)
    before = pg.fingerprint()
    side.execute("LOCK TABLE public.big IN ACCESS EXCLUSIVE MODE")  # pg_dump waits for it
    proc = start(started, root / "alembic.ini", pg.url, "upgrade", "--backup")
    tools = held_tools(proc, {"pg_dump"}, lambda: backends(pg, "pg_dump", "Lock"))

    done = signalled(proc, signum)

    wait_gone(tools)  # while the lock is still held: pg_dump was killed
    side.rollback()
    line = assert_fails(done, 4)
    name = signal.Signals(signum).name
    assert f"interrupted by {name} while taking the --backup snapshot" in line, show(done)
    assert "nothing was committed" in line
    assert pg.fingerprint() == before
    assert pg.versions() == set()
    assert [p.name for p in (root / ".migsafe" / "snapshots").glob("*") if p.is_file()] == []
    assert all(run.status != "succeeded" for run in pg.runs())


# -- mid-chain --------------------------------------------------------------------------------


@pytest.mark.parametrize("signum", SIGNALS, ids=IDS)
def test_signal_mid_chain_rolls_back_and_says_so(
    project: ProjectFn, pg: Db, started: list[subprocess.Popen[str]], signum: int
) -> None:
    root = project("generic")
    add_revision(root, "gen0004_sleeps.py", SLEEPING)
    before = pg.fingerprint()
    proc = start(started, root / "alembic.ini", pg.url, "upgrade")
    until(
        proc,
        lambda: running_row(pg) and active_statement(pg, "SELECT pg_sleep"),
        "the migration never slept",
    )

    done = signalled(proc, signum)

    line = assert_fails(done, 4)
    name = signal.Signals(signum).name
    assert f"interrupted by {name}" in line, show(done)
    assert "rolled back, the database is at base as before" in line
    assert pg.fingerprint() == before
    assert pg.versions() == set()
    (run,) = pg.runs()
    assert (run.status, run.failed_revision) == ("rolled_back", "gen0004")
    assert run.error == f"interrupted by {name}"


def test_signal_after_a_commit_outside_the_transaction_is_exit_5(
    project: ProjectFn, pg: Db, started: list[subprocess.Popen[str]]
) -> None:
    root = project("generic")
    add_revision(root, "gen0004_index.py", OUTSIDE)
    add_revision(root, "gen0005_sleeps.py", SLEEPING_AFTER)
    proc = start(started, root / "alembic.ini", pg.url, "upgrade", "--allow-irreversible")
    until(
        proc,
        lambda: running_row(pg) and active_statement(pg, "SELECT pg_sleep"),
        "the migration never slept",
    )

    done = signalled(proc, signal.SIGTERM)

    line = assert_fails(done, 5)
    assert "interrupted by SIGTERM" in line, show(done)
    assert "earlier steps were committed, the database is at gen0004" in line
    assert pg.versions() == {"gen0004"}
    assert pg.scalar("SELECT count(*) FROM users WHERE id = 2") == 0  # gen0005 rolled back
    assert pg.scalar("SELECT to_regclass('ix_users_name') IS NOT NULL") is True
    (run,) = pg.runs()
    assert (run.status, run.failed_revision) == ("not_restored", "gen0005")
    assert run.at_revisions == ("gen0004",)


# -- after the commit -------------------------------------------------------------------------


@pytest.mark.parametrize("signum", SIGNALS, ids=IDS)
def test_signal_after_the_commit_finishes_the_run_as_succeeded(
    project: ProjectFn,
    pg: Db,
    pg_server: PgServer,
    side: psycopg.Connection[tuple[object, ...]],
    started: list[subprocess.Popen[str]],
    signum: int,
) -> None:
    """The run is held after its COMMIT by the history row's update (the test locks the
    history table), and signalled there: it finishes, records success and exits 0."""
    root = project("generic")
    add_revision(root, "gen0004_gate.py", READS_GATE)
    pg.execute("CREATE TABLE gate (name text)", "INSERT INTO gate VALUES ('through')")
    side.execute("LOCK TABLE gate IN ACCESS EXCLUSIVE MODE")  # the migration waits here
    proc = start(started, root / "alembic.ini", pg.url, "upgrade", "--lock-timeout", "10m")

    def waits_on(table: str) -> bool:
        return bool(
            pg.scalar(
                "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                f"WHERE NOT l.granted AND l.relation = '{table}'::regclass "
                "AND a.application_name LIKE 'migsafe%'"
            )
        )

    until(proc, lambda: running_row(pg) and waits_on("gate"), "the migration never waited")
    with psycopg.connect(pg_server.conninfo(make_url(pg.url).database)) as history_lock:
        history_lock.execute("LOCK TABLE migsafe.migsafe_history IN EXCLUSIVE MODE")
        side.rollback()  # the migration goes on, commits, then waits to finish the row
        until(
            proc,
            lambda: waits_on("migsafe.migsafe_history"),
            "the run never reached its history update",
        )
        assert pg.versions() == {"gen0004"}  # committed
        proc.send_signal(signum)
        history_lock.rollback()
        out, err = proc.communicate(timeout=WAIT)
    done = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)

    assert_ok(done)
    name = signal.Signals(signum).name
    notes = [line for line in err.splitlines() if line.startswith(f"{name} arrived")]
    assert len(notes) == 1, show(done)
    (run,) = pg.runs()
    assert f"upgrade run {run.run_id} succeeded, the database is at gen0004" in notes[0]
    assert "not undone" in notes[0]
    assert run.status == "succeeded"
    assert run.to_revisions == ("gen0004",)
    assert pg.scalar("SELECT name FROM users WHERE id = 2") == "through"


def test_signal_during_a_stored_revert_rolls_it_back_and_says_so(
    project: ProjectFn,
    pg: Db,
    side: psycopg.Connection[tuple[object, ...]],
    started: list[subprocess.Popen[str]],
) -> None:
    root = project("generic")
    ini = root / "alembic.ini"
    assert_ok(run_cli("upgrade", ini=ini, url=pg.url))
    before = pg.fingerprint()
    side.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")  # the revert waits for it
    proc = start(started, ini, pg.url, "revert", "--yes", "--lock-timeout", "10m")

    def revert_waits() -> bool:
        return bool(
            pg.scalar(
                "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                "WHERE NOT l.granted AND l.relation = 'users'::regclass "
                "AND a.application_name LIKE 'migsafe run=%'"
            )
        )

    until(proc, lambda: running_row(pg) and revert_waits(), "the revert never waited")
    done = signalled(proc, signal.SIGTERM)
    side.rollback()

    line = assert_fails(done, 4)
    assert "revert failed" in line and "interrupted by SIGTERM" in line, show(done)
    assert "rolled back, the database is at gen0003 as before" in line
    assert pg.fingerprint() == before
    assert pg.versions() == {"gen0003"}
    revert_run = pg.runs()[0]
    assert (revert_run.command, revert_run.status) == ("revert", "rolled_back")
    assert revert_run.error == "interrupted by SIGTERM"


# -- during a restore -------------------------------------------------------------------------


def test_signal_during_a_restore_leaves_the_database_as_it_was(
    project: ProjectFn, pg: Db, started: list[subprocess.Popen[str]]
) -> None:
    root = project("generic")
    ini = root / "alembic.ini"
    pg.execute(*BIG, *HELD_IN_RESTORE)
    created = run_cli("snapshot", "create", "--format", "json", ini=ini, url=pg.url)
    assert_ok(created)
    snapshot_id = json.loads(created.stdout)["id"]
    pg.execute("DELETE FROM public.big WHERE id > 100", "CREATE TABLE public.after (id int)")
    name = make_url(pg.url).database
    pg.execute(f'ALTER DATABASE "{name}" SET client_connection_check_interval = 100')
    before = pg.fingerprint()
    proc = start(started, ini, pg.url, "snapshot", "restore", snapshot_id, "--yes")
    tools = held_tools(
        proc, {"psql", "pg_restore"}, lambda: backends(pg, "migsafe restore", "Timeout")
    )

    done = signalled(proc, signal.SIGTERM)

    wait_gone(tools)
    line = assert_fails(done, 4)
    assert f"interrupted by SIGTERM while restoring snapshot {snapshot_id}" in line, show(done)
    assert "nothing was committed: the database is as it was" in line
    wait_for(
        lambda: not backends(pg, "migsafe restore", "Timeout"),
        timeout=WAIT,
        message="the restore's session never ended",
    )
    assert pg.fingerprint() == before
    restore_run = pg.runs()[0]
    assert restore_run.status == "rolled_back"
    assert "SIGTERM" in (restore_run.error or "")


# -- the connection lost ----------------------------------------------------------------------


def test_the_migration_session_terminated_mid_run_is_rolled_back_and_named(
    project: ProjectFn, pg: Db, started: list[subprocess.Popen[str]]
) -> None:
    root = project("generic")
    add_revision(root, "gen0004_sleeps.py", SLEEPING)
    before = pg.fingerprint()
    proc = start(started, root / "alembic.ini", pg.url, "upgrade")
    until(
        proc,
        lambda: running_row(pg) and active_statement(pg, "SELECT pg_sleep"),
        "the migration never slept",
    )

    pg.scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = 'active' "
        "AND application_name LIKE 'migsafe run=%' AND query LIKE 'SELECT pg_sleep%'"
    )
    out, err = proc.communicate(timeout=WAIT)
    done = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)

    line = assert_fails(done, 4)
    assert "the connection to the database was lost" in line, show(done)
    assert "rolled back, the database is at base as before" in line
    assert pg.fingerprint() == before
    assert pg.versions() == set()
    (run,) = pg.runs()
    assert (run.status, run.failed_revision) == ("rolled_back", "gen0004")
    assert "connection to the database was lost" in (run.error or "")


# -- a blocking statement on any driver -------------------------------------------------------


@pytest.mark.parametrize("driver", ["psycopg", "psycopg2", "pg8000"])
def test_the_first_sigint_cancels_a_blocking_statement_on_any_driver(
    project: ProjectFn, pg: Db, started: list[subprocess.Popen[str]], driver: str
) -> None:
    """psycopg2 and pg8000 block in C or in a socket read: the statement is cancelled from a
    side connection, so the signal is acted on long before the 600 s sleep ends."""
    root = project("generic")
    add_revision(root, "gen0004_sleeps.py", SLEEPING)
    url = pg.url.replace("postgresql+psycopg://", f"postgresql+{driver}://", 1)
    before = pg.fingerprint()
    proc = start(started, root / "alembic.ini", url, "upgrade")
    until(
        proc,
        lambda: running_row(pg) and active_statement(pg, "SELECT pg_sleep"),
        "the migration never slept",
    )

    done = signalled(proc, signal.SIGINT)  # WAIT (60 s) is far below the sleep's 600 s

    line = assert_fails(done, 4)
    assert "interrupted by SIGINT" in line, show(done)
    assert pg.fingerprint() == before
    (run,) = pg.runs()
    assert run.status == "rolled_back"
    assert not tools_of(proc.pid)


# -- the server restarted ---------------------------------------------------------------------


@pytest.fixture
def own_server() -> Iterator[PgServer]:
    """A throwaway cluster of this test's own, which it may stop and start."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.skip(
            "needs the PostgreSQL server binaries (initdb, pg_ctl) for a cluster of its own"
        )
    with local_cluster(bin_dir) as server:
        yield server


def test_the_server_stopped_mid_run_is_exit_4_and_the_next_run_marks_the_row(
    project: ProjectFn, own_server: PgServer, started: list[subprocess.Popen[str]]
) -> None:
    own_server.create_database("app")
    db = Db(own_server.url("app"))
    root = project("generic")
    add_revision(root, "gen0004_sleeps.py", SLEEPING)
    before = db.fingerprint()
    proc = start(started, root / "alembic.ini", db.url, "upgrade")
    until(
        proc,
        lambda: running_row(db) and active_statement(db, "SELECT pg_sleep"),
        "the migration never slept",
    )

    pg_ctl(own_server, "stop")  # fast: every session is terminated, the server stays down
    out, err = proc.communicate(timeout=WAIT)
    done = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)

    line = assert_fails(done, 4)
    assert "the connection to the database was lost" in line, show(done)
    assert "rolled back, the database is at base as before" in line
    assert "the history row could not be finished (the server is unreachable)" in line
    pg_ctl(own_server, "start")
    assert db.fingerprint() == before
    assert [r.status for r in db.runs()] == ["running"]  # left for the next run to mark

    assert_ok(run_cli("upgrade", "gen0003", ini=root / "alembic.ini", url=db.url))
    old = db.runs()[-1]
    assert old.status == "interrupted"
    assert "the next run found the database at base" in (old.error or "")


ASYNC_SLEEPING = '''"""sleeps

Revision ID: as0004
Revises: as0003
"""
from alembic import op

revision = "as0004"
down_revision = "as0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SELECT pg_sleep(600)")


def downgrade() -> None:
    pass
'''


def test_the_first_sigterm_cancels_a_statement_on_the_asyncpg_bridge(
    project: ProjectFn, pg: Db, started: list[subprocess.Popen[str]]
) -> None:
    """The async template: env.py runs in asyncio.run(), the statement on the asyncpg
    bridge's own thread; the main thread waits for it. The side connection cancels it."""
    root = project("async_env")
    add_revision(root, "as0004_sleeps.py", ASYNC_SLEEPING)
    url = pg.url.replace("postgresql+psycopg://", "postgresql+asyncpg://", 1)
    before = pg.fingerprint()
    proc = start(started, root / "alembic.ini", url, "upgrade")
    until(
        proc,
        lambda: running_row(pg) and active_statement(pg, "SELECT pg_sleep"),
        "the migration never slept",
    )

    done = signalled(proc, signal.SIGTERM)

    line = assert_fails(done, 4)
    assert "interrupted by SIGTERM" in line, show(done)
    assert "rolled back, the database is at base as before" in line
    assert pg.fingerprint() == before
    (run,) = pg.runs()
    assert (run.status, run.failed_revision) == ("rolled_back", "as0004")
