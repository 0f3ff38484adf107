"""How client tools are started: the environment they see, and that they die with migsafe."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from migsafe.snapshots.tool_process import popen, run, tool_environ
from tests.support.procs import Proc, alive, wait_for, wait_gone

INHERITED = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/home/deploy",
    "LANG": "de_DE.UTF-8",
    "LC_MESSAGES": "C",
    "PGSSLMODE": "verify-full",
    "PGSSLROOTCERT": "/etc/ssl/db-ca.pem",
    "PGPASSFILE": "/home/deploy/.pgpass",
    "PGPASSWORD": "inherited-secret",
    "PGSERVICE": "postgres://svc:pg-prefixed-secret@db/app",  # looks like a URL with a password
    "KRB5CCNAME": "FILE:/tmp/krb5cc_1000",
    "MIGSAFE_DATABASE_URL": "postgresql://app:url-secret@db/app",
    "DATABASE_URL": "postgres://app:other-secret@db/app",
    "AWS_SECRET_ACCESS_KEY": "aws-secret",
    "PYTHONPATH": "/srv/app",
}


@pytest.fixture
def inherited(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        monkeypatch.delenv(name)
    for name, value in INHERITED.items():
        monkeypatch.setenv(name, value)


@pytest.mark.usefixtures("inherited")
def test_a_tool_that_does_not_connect_gets_no_secret() -> None:
    assert tool_environ(connects=False) == {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": "/home/deploy",
        "LANG": "de_DE.UTF-8",
        "LC_MESSAGES": "C",
        "PGSSLMODE": "verify-full",
        "PGSSLROOTCERT": "/etc/ssl/db-ca.pem",
        "PGPASSFILE": "/home/deploy/.pgpass",
    }


@pytest.mark.usefixtures("inherited")
def test_a_connecting_tool_gets_the_urls_password_and_what_libpq_reads() -> None:
    env = tool_environ(connects=True, password="from-the-url")
    assert env == {
        **tool_environ(connects=False),
        "KRB5CCNAME": "FILE:/tmp/krb5cc_1000",
        "PGPASSWORD": "from-the-url",
    }


@pytest.mark.usefixtures("inherited")
def test_without_a_password_in_the_url_the_inherited_one_is_kept_for_connecting() -> None:
    """libpq gives migsafe's own connection the same PGPASSWORD: the tools must match it."""
    assert tool_environ(connects=True)["PGPASSWORD"] == "inherited-secret"


def status_line(pid: int, field: str) -> str:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no {field} in /proc/{pid}/status")


def test_a_tool_starts_with_default_signals_and_a_private_umask() -> None:
    """Python ignores SIGPIPE and SIGXFSZ; exec would pass that on to the tool."""
    proc = popen(["/bin/sleep", "60"], env=tool_environ(connects=False))
    try:
        wait_for(
            lambda: Path(f"/proc/{proc.pid}/comm").read_text().strip() == "sleep",
            timeout=30,
            message="sleep never started",
        )
        ignored = int(status_line(proc.pid, "SigIgn"), 16)
        assert not ignored & (1 << (signal.SIGPIPE - 1))
        assert not ignored & (1 << (signal.SIGXFSZ - 1))
        assert status_line(proc.pid, "Umask") == "0077"
    finally:
        proc.kill()
        proc.wait()


def test_a_missing_tool_fails_like_a_shell_would() -> None:
    res = run(["/nonexistent/pg_dump", "--version"], env=tool_environ(connects=False))
    assert res.returncode == 127
    assert b"/nonexistent/pg_dump" in res.stderr


def test_run_kills_the_tool_when_the_wait_is_cut_short() -> None:
    with pytest.raises(subprocess.TimeoutExpired):
        run(["/bin/sleep", "60"], env=tool_environ(connects=False), timeout=0.5)
    # run() waited for the child it killed: no sleep of ours is left, not even a zombie.
    mine = [p for p in Path("/proc").iterdir() if p.name.isdigit()]
    assert not [
        p for p in mine if _parent(p) == os.getpid() and (p / "comm").read_text().strip() == "sleep"
    ]


def _parent(proc_dir: Path) -> int | None:
    try:
        stat = (proc_dir / "stat").read_text()
    except OSError:
        return None
    return int(stat[stat.rindex(")") + 2 :].split()[1])


# A stand-in for migsafe: starts a tool through popen, says its pid, then waits to be killed.
PARENT = textwrap.dedent(
    """
    import sys, time
    from migsafe.snapshots.tool_process import popen, tool_environ
    child = popen(["/bin/sleep", "600"], env=tool_environ(connects=False))
    print(child.pid, flush=True)
    time.sleep(600)
    """
)


def test_a_tool_dies_when_migsafe_is_killed() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True, cwd=Path.cwd()
    )
    try:
        assert parent.stdout is not None
        pid = int(parent.stdout.readline())
        tool = Proc(pid, parent.pid, "sleep", "S")
        wait_for(lambda: alive(tool), timeout=30, message="the tool never started")
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        wait_gone([tool])
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
