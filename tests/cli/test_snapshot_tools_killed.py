"""migsafe killed while pg_dump, pg_restore or psql runs: no password left, no tool left.

Each test starts the real CLI, waits (on pg_stat_activity and /proc) until the tool is
running and held (a lock the test keeps, or a ``pg_sleep`` the restored data runs into), then
signals migsafe. SIGKILL gives migsafe no chance to clean up: only the kernel can end the
tools (PR_SET_PDEATHSIG), and no file may hold the password, since nothing removes one. The
tools are checked dead while still held, so they were killed, not finished.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.cli.conftest import Db, assert_ok, cli_args, cli_env, run_cli
from tests.support.pg import PgServer
from tests.support.procs import Proc, tools_of, wait_for, wait_gone

BIG = [
    "CREATE TABLE public.big (id int PRIMARY KEY, payload text)",
    "INSERT INTO public.big SELECT g, md5(g::text) || md5((g * 7)::text)"
    " FROM generate_series(1, 60000) g",
]

# Sleeps when the restore's psql (application_name "migsafe restore") copies the one row of
# a_held back: its CHECK runs then. a_held's data comes before big's, so pg_restore is still
# writing big's into the full pipe: both tools are alive and held.
HELD_IN_RESTORE = [
    """CREATE FUNCTION public.held_in_restore(x int) RETURNS boolean LANGUAGE plpgsql AS $$
    BEGIN
        IF current_setting('application_name') = 'migsafe restore' THEN
            PERFORM pg_sleep(3600);
        END IF;
        RETURN true;
    END $$""",
    "CREATE TABLE public.a_held (x int CHECK (public.held_in_restore(x)))",
    "INSERT INTO public.a_held VALUES (1)",
]

WAIT = 60.0  # generous: only a test that would hang reaches it


@pytest.fixture
def temp_dir(tmp_path: Path) -> Path:
    """migsafe's TMPDIR: where a temporary passfile would have gone."""
    path = tmp_path / "tmp"
    path.mkdir()
    return path


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
def holder(pg_server: PgServer, pg: Db) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """A session of the test's own on the database, in a transaction (to hold locks)."""
    conn = psycopg.connect(pg_server.conninfo(make_url(pg.url).database))
    yield conn
    conn.close()


def start(
    started: list[subprocess.Popen[str]], root: Path, url: str, temp_dir: Path, *args: str
) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        cli_args(args, ini=root / "alembic.ini", url=url),
        cwd=root,
        env=cli_env({"TMPDIR": str(temp_dir)}),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    started.append(proc)
    return proc


def backends(db: Db, application: str, wait_event_type: str) -> list[int]:
    """Backends of *application* on the database waiting on that kind of event."""
    with db.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND application_name = %(app)s AND wait_event_type = %(wait)s",
            {"app": application, "wait": wait_event_type},
        )
        return [pid for (pid,) in rows]


def held_tools(
    proc: subprocess.Popen[str], names: set[str], held: Callable[[], object]
) -> list[Proc]:
    """Wait until migsafe runs every tool of *names* and *held* says they are held."""

    def ready() -> list[Proc]:
        assert proc.poll() is None, f"migsafe ended early: {proc.communicate()}"
        tools = tools_of(proc.pid, names)
        return tools if {t.name for t in tools} == names and held() else []

    return wait_for(ready, timeout=WAIT, message=f"{', '.join(sorted(names))} never held")


def signal_and_wait(proc: subprocess.Popen[str], signum: int) -> None:
    os.kill(proc.pid, signum)
    proc.communicate(timeout=WAIT)


def assert_no_password_left(password: str, *places: Path) -> None:
    """No file anywhere under *places* is a passfile or holds the password in any spelling."""
    spellings = {
        password,
        urllib.parse.quote(password, safe=""),
        urllib.parse.quote_plus(password, safe=""),
    }
    for place in places:
        for path in place.rglob("*"):
            if not path.is_file():
                continue
            assert not path.name.endswith(".pgpass"), path
            data = path.read_bytes()
            for spelled in spellings:
                assert spelled.encode() not in data, f"{path} holds the password"


def snapshot_dir(root: Path) -> Path:
    return root / ".migsafe" / "snapshots"


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_migsafe_killed_during_pg_dump_leaves_no_pg_dump_and_no_password(
    project: Callable[[str], Path],
    pg: Db,
    holder: psycopg.Connection[tuple[object, ...]],
    temp_dir: Path,
    started: list[subprocess.Popen[str]],
    signum: int,
) -> None:
    root = project("generic")
    pg.execute(*BIG)
    holder.execute("LOCK TABLE public.big IN ACCESS EXCLUSIVE MODE")  # pg_dump waits for it
    proc = start(started, root, pg.url, temp_dir, "snapshot", "create")
    tools = held_tools(proc, {"pg_dump"}, lambda: backends(pg, "pg_dump", "Lock"))

    signal_and_wait(proc, signum)

    wait_gone(tools)  # while the lock is still held: pg_dump was killed, it did not finish
    holder.rollback()
    password = make_url(pg.url).password
    assert password
    assert_no_password_left(password, temp_dir, root)
    assert all(run.status != "succeeded" for run in pg.runs())
    partials = list(snapshot_dir(root).glob(".*.partial"))
    if signum == signal.SIGTERM:
        assert partials == []  # migsafe itself cleaned up
        return
    # SIGKILL: the unfinished file stays, private, until list reports it and prune removes it.
    (partial,) = partials
    assert stat.S_IMODE(partial.stat().st_mode) == 0o600
    listed = run_cli("snapshot", "list", "--format", "json", ini=root / "alembic.ini", url=pg.url)
    assert_ok(listed)
    report = json.loads(listed.stdout)
    assert report["snapshots"] == []
    assert [f["file"] for f in report["leftovers"]] == [partial.name]
    text = run_cli("snapshot", "list", ini=root / "alembic.ini", url=pg.url)
    assert f"leftover {partial.name}" in text.stdout
    pruned = run_cli("snapshot", "prune", "--keep", "5", ini=root / "alembic.ini", url=pg.url)
    assert_ok(pruned)
    assert f"removed leftover {partial.name}" in pruned.stdout
    assert not partial.exists()


def test_migsafe_killed_during_the_backup_of_an_upgrade_leaves_nothing_running(
    project: Callable[[str], Path],
    pg: Db,
    holder: psycopg.Connection[tuple[object, ...]],
    temp_dir: Path,
    started: list[subprocess.Popen[str]],
) -> None:
    root = project("generic")
    pg.execute(*BIG)
    holder.execute("LOCK TABLE public.big IN ACCESS EXCLUSIVE MODE")
    proc = start(started, root, pg.url, temp_dir, "upgrade", "--backup")
    tools = held_tools(proc, {"pg_dump"}, lambda: backends(pg, "pg_dump", "Lock"))

    signal_and_wait(proc, signal.SIGKILL)

    wait_gone(tools)
    holder.rollback()
    password = make_url(pg.url).password
    assert password
    assert_no_password_left(password, temp_dir, root)
    assert pg.versions() == set()  # the snapshot comes first: no migration ran


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_migsafe_killed_mid_restore_leaves_the_database_as_it_was(
    project: Callable[[str], Path],
    pg: Db,
    temp_dir: Path,
    started: list[subprocess.Popen[str]],
    signum: int,
) -> None:
    """psql dies before its input ends (no COMMIT), so the server rolls the restore back."""
    root = project("generic")
    pg.execute(*BIG, *HELD_IN_RESTORE)
    created = run_cli(
        "snapshot", "create", "--format", "json", ini=root / "alembic.ini", url=pg.url
    )
    assert_ok(created)
    snapshot_id = json.loads(created.stdout)["id"]
    # Changes the restore would undo, so that "unchanged" means something.
    pg.execute("DELETE FROM public.big WHERE id > 100", "CREATE TABLE public.after (id int)")
    # The server notices a client gone even while the statement sleeps, and rolls back then.
    name = make_url(pg.url).database
    pg.execute(f'ALTER DATABASE "{name}" SET client_connection_check_interval = 100')
    before = pg.fingerprint()

    proc = start(started, root, pg.url, temp_dir, "snapshot", "restore", snapshot_id, "--yes")
    tools = held_tools(
        proc, {"psql", "pg_restore"}, lambda: backends(pg, "migsafe restore", "Timeout")
    )

    signal_and_wait(proc, signum)

    wait_gone(tools)
    wait_for(
        lambda: not backends(pg, "migsafe restore", "Timeout"),
        timeout=WAIT,
        message="the restore's session never ended",
    )
    assert pg.fingerprint() == before
    password = make_url(pg.url).password
    assert password
    assert_no_password_left(password, temp_dir, root)
