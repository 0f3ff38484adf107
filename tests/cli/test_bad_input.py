"""Bad input never leaves a traceback or a changed database behind.

Each test runs the real CLI and checks the exit code, the single ``error:`` line on stderr (no
"Traceback" unless --debug), and, where there is a database, that it is exactly as before
(fingerprint) with the history telling what happened.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from migsafe.engine.lock import LOCK_KEY
from tests.cli.conftest import (
    Db,
    add_revision,
    assert_fails,
    assert_nothing_recorded_as_changed,
    assert_ok,
    cli_args,
    cli_env,
    run_cli,
    show,
)
from tests.support.pg import PgServer

ProjectFn = Callable[[str], Path]


def one_json_document(stdout: str) -> dict[str, Any]:
    """stdout holds exactly one JSON document (json.loads refuses anything around it)."""
    doc = json.loads(stdout)
    assert isinstance(doc, dict)
    return doc


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# -- project and revision errors ----------------------------------------------------------------


def test_unknown_revision(project: ProjectFn, db: Db) -> None:
    ini = project("generic") / "alembic.ini"
    before = db.fingerprint()

    proc = run_cli("upgrade", "nosuchrev", ini=ini, url=db.url)
    line = assert_fails(proc, 2)
    assert "nosuchrev" in line
    assert db.fingerprint() == before
    assert db.versions() == set()


def test_two_heads_without_a_target(project: ProjectFn, pg: Db) -> None:
    proj = project("branches")
    (proj / "migrations" / "versions" / "br0merge_merge_feature_and_other.py").unlink()
    before = pg.fingerprint()

    proc = run_cli("upgrade", ini=proj / "alembic.ini", url=pg.url)
    line = assert_fails(proc, 2)
    assert "multiple heads" in line.lower()
    assert "hint: " in proc.stderr and "heads" in proc.stderr.split("hint: ", 1)[1]
    assert pg.fingerprint() == before
    assert pg.versions() == set()
    assert_nothing_recorded_as_changed(pg)


def test_migration_file_with_a_syntax_error(project: ProjectFn, pg: Db) -> None:
    proj = project("generic")
    broken = add_revision(
        proj,
        "gen0004_broken.py",
        '"""broken"""\n'
        'revision = "gen0004"\n'
        'down_revision = "gen0003"\n'
        "\n"
        "def upgrade() -> None:\n"
        "    x = = 1\n"  # line 6
        "\n"
        "def downgrade() -> None:\n"
        "    pass\n",
    )
    before = pg.fingerprint()

    proc = run_cli("upgrade", ini=proj / "alembic.ini", url=pg.url)
    line = assert_fails(proc, 2)
    assert broken.name in line
    assert "line 6" in line
    assert pg.fingerprint() == before
    assert pg.versions() == set()


def test_missing_config(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()

    proc = run_cli("upgrade", cwd=empty, url="sqlite:///never.db")
    line = assert_fails(proc, 2)
    assert "alembic.ini" in line
    assert not (empty / "never.db").exists()

    proc = run_cli("status", "--format", "json", ini=empty / "nope.ini", cwd=empty)
    assert_fails(proc, 2)
    doc = one_json_document(proc.stdout)
    assert doc["ok"] is False
    assert doc["exit_code"] == 2
    assert "nope.ini" in doc["error"]


# -- URLs and connections -----------------------------------------------------------------------

SECRET = "s3cr3t-Pa55word"


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql+psycopg://someone:{SECRET}@127.0.0.1:notaport/db",
        "this is not a database url",
        f"mysql://someone:{SECRET}@127.0.0.1/db",
    ],
    ids=["bad-port", "not-a-url", "unsupported-backend"],
)
def test_bad_url(project: ProjectFn, url: str) -> None:
    ini = project("generic") / "alembic.ini"

    proc = run_cli("upgrade", ini=ini, url=url)
    assert_fails(proc, 2)
    assert SECRET not in proc.stderr + proc.stdout


def test_wrong_password(project: ProjectFn, pg_server: PgServer, pg: Db) -> None:
    ini = project("generic") / "alembic.ini"
    wrong = make_url(pg.url).set(password=SECRET).render_as_string(hide_password=False)
    assert SECRET in wrong
    before = pg.fingerprint()

    proc = run_cli("upgrade", ini=ini, url=wrong)
    line = assert_fails(proc, 3)
    assert "password" in proc.stderr.lower()
    assert SECRET not in proc.stderr + proc.stdout
    assert pg_server.password not in proc.stderr + proc.stdout
    assert str(pg_server.port) in line  # names where it tried to connect
    assert pg.fingerprint() == before


def test_database_down(project: ProjectFn) -> None:
    ini = project("generic") / "alembic.ini"
    port = free_port()
    url = f"postgresql+psycopg://postgres:{SECRET}@127.0.0.1:{port}/app"

    proc = run_cli("upgrade", ini=ini, url=url)  # run_cli's timeout fails a run that hangs
    line = assert_fails(proc, 3)
    assert str(port) in line
    assert SECRET not in proc.stderr + proc.stdout

    proc = run_cli("status", "--format", "json", ini=ini, url=url)
    assert_fails(proc, 3)
    doc = one_json_document(proc.stdout)
    assert (doc["ok"], doc["exit_code"]) == (False, 3)
    assert SECRET not in proc.stdout


# -- a migration that fails ---------------------------------------------------------------------


def test_migration_that_raises_is_rolled_back(project: ProjectFn, db: Db) -> None:
    ini = project("failing_migration") / "alembic.ini"
    assert_ok(run_cli("upgrade", "fm0001", ini=ini, url=db.url))
    assert db.versions() == {"fm0001"}
    before = db.fingerprint()

    proc = run_cli("upgrade", ini=ini, url=db.url)
    line = assert_fails(proc, 4)
    assert "fm0002" in line
    assert "boom in fm0002" in line
    assert db.fingerprint() == before
    assert db.versions() == {"fm0001"}

    failed = db.runs()[0]
    assert failed.status == "rolled_back"
    assert failed.failed_revision == "fm0002"
    assert failed.from_revisions == ("fm0001",)
    assert "boom in fm0002" in (failed.error or "")
    assert failed.run_id in line


def test_lock_held_by_another_runner(project: ProjectFn, pg: Db) -> None:
    ini = project("generic") / "alembic.ini"
    u = make_url(pg.url)
    before = pg.fingerprint()
    with psycopg.connect(
        host=u.host,
        port=u.port,
        user=u.username,
        password=u.password,
        dbname=u.database,
        application_name="migsafe-runner run=abc123 pid=1 host=otherhost",
        autocommit=True,
    ) as holder:
        row = holder.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()
        assert row is not None and row[0] is True
        proc = run_cli("upgrade", "--lock-wait", "1s", ini=ini, url=pg.url)

    line = assert_fails(proc, 3)
    assert "abc123" in line
    assert "otherhost" in line
    assert pg.fingerprint() == before
    assert pg.versions() == set()


# -- interrupted runs ---------------------------------------------------------------------------


def _wait_for(condition: Callable[[], bool], proc: subprocess.Popen[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"migsafe ended early with {proc.returncode}\n{out}\n{err}")
        if condition():
            return
        time.sleep(0.1)
    pytest.fail("timed out waiting for the migration to be under way")


@pytest.mark.parametrize(
    "sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["SIGINT", "SIGTERM", "SIGHUP"]
)
def test_interrupted_run_is_rolled_back(project: ProjectFn, pg: Db, sig: signal.Signals) -> None:
    ini = project("slow_migration") / "alembic.ini"
    before = pg.fingerprint()

    proc = subprocess.Popen(
        cli_args(["upgrade"], ini=ini, url=pg.url),
        cwd=ini.parent,
        env=cli_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:

        def sleeping() -> bool:
            runs = pg.runs()
            if not runs or runs[0].status != "running":
                return False
            return bool(
                pg.scalar(
                    "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                    "AND query LIKE 'SELECT pg_sleep%' AND pid <> pg_backend_pid()"
                )
            )

        _wait_for(sleeping, proc, timeout=20)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=25)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()

    done = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    line = assert_fails(done, 4)
    assert f"interrupted by {sig.name}" in line, show(done)
    assert "rolled back, the database is at base as before" in line
    assert pg.fingerprint() == before
    assert pg.versions() == set()
    run = pg.runs()[0]
    assert run.status == "rolled_back"
    assert run.failed_revision == "sl0002"


# -- output formats -----------------------------------------------------------------------------


def test_json_on_success(project: ProjectFn, sqlite: Db) -> None:
    ini = project("generic") / "alembic.ini"

    up = run_cli("upgrade", "--format", "json", ini=ini, url=sqlite.url)
    assert_ok(up)
    doc = one_json_document(up.stdout)
    assert doc["ok"] is True
    assert doc["status"] == "succeeded"
    assert doc["at"] == ["gen0003"]
    assert doc["run_id"] == sqlite.runs()[0].run_id

    status = run_cli("status", "--format", "json", ini=ini, url=sqlite.url)
    assert_ok(status)
    assert one_json_document(status.stdout)["current"] == ["gen0003"]

    history = run_cli("history", "--format", "json", ini=ini, url=sqlite.url)
    assert_ok(history)
    runs = one_json_document(history.stdout)["runs"]
    assert [r["run_id"] for r in runs] == [doc["run_id"]]


def test_json_on_failure(project: ProjectFn, pg: Db) -> None:
    ini = project("failing_migration") / "alembic.ini"
    before = pg.fingerprint()

    proc = run_cli("upgrade", "--format", "json", ini=ini, url=pg.url)
    assert_fails(proc, 4)
    doc = one_json_document(proc.stdout)
    assert doc["ok"] is False
    assert doc["exit_code"] == 4
    assert "fm0002" in doc["error"]
    assert doc["hint"]
    assert doc["result"]["status"] == "rolled_back"
    assert doc["result"]["failed_revision"] == "fm0002"
    assert pg.fingerprint() == before

    usage = run_cli("upgrade", "nosuchrev", "--format", "json", ini=ini, url=pg.url)
    assert_fails(usage, 2)
    doc = one_json_document(usage.stdout)
    assert (doc["ok"], doc["exit_code"]) == (False, 2)
    assert "nosuchrev" in doc["error"]


def test_debug_shows_a_traceback_the_default_does_not(project: ProjectFn, sqlite: Db) -> None:
    ini = project("generic") / "alembic.ini"

    plain = run_cli("upgrade", "nosuchrev", ini=ini, url=sqlite.url)
    assert_fails(plain, 2)  # asserts there is no traceback

    debug = run_cli("upgrade", "nosuchrev", ini=ini, url=sqlite.url, debug=True)
    assert debug.returncode == 2, show(debug)
    assert "Traceback (most recent call last)" in debug.stderr
    assert any(line.startswith("error: ") for line in debug.stderr.splitlines())


def test_what_migrations_print_does_not_break_the_json_document(
    project: ProjectFn, sqlite: Db
) -> None:
    ini = project("generic") / "alembic.ini"
    revision = ini.parent / "migrations" / "versions" / "gen0001_create_users.py"
    source = revision.read_text()
    docstring = '    """Upgrade schema."""'
    revision.write_text(source.replace(docstring, docstring + '\n    print("hello")', 1))
    up = run_cli("upgrade", "--format", "json", ini=ini, url=sqlite.url)
    assert_ok(up)
    assert one_json_document(up.stdout)["status"] == "succeeded"
    assert "hello" in up.stderr
