"""`migsafe flags` commands racing other changes: nothing lost, the kill switch never undone.

Each race is pinned in one order: a connection of the test holds the flag's row (a `disable`
not yet committed, or a `create` not yet committed) while the real CLI runs; the test waits
until PostgreSQL shows the CLI's session blocked on that lock, then commits. A command that
read the flag before waiting (and wrote its stale copy after) fails these tests.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flags.backends import PostgresStore
from tests.cli.conftest import assert_fails, assert_ok, cli_args, cli_env, run_cli, show


@pytest.fixture
def ini(project: Callable[[str], Path]) -> Path:
    return project("generic") / "alembic.ini"


def start(ini: Path, url: str, *args: str) -> subprocess.Popen[str]:
    """The CLI in the background: `migsafe flags ARGS...`."""
    return subprocess.Popen(
        cli_args(["flags", *args], ini=ini, url=url),
        cwd=ini.parent,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )


def finish(proc: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    stdout, stderr = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def blocked_on_a_lock(store: PostgresStore, proc: subprocess.Popen[str]) -> bool:
    """Whether some session of this database waits for a lock; fails if the CLI ended first."""
    if proc.poll() is not None:
        raise AssertionError(f"the command ended before it waited:{show(finish(proc))}")
    with store.connect() as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        ).fetchone()
    return row is not None and row[0] > 0


def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll `condition` until true (a bounded wait for an event, not a sleep as proof)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(0.02)


def definition(store: PostgresStore, name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(f for f in store.load()[1]["features"] if f["name"] == name)
    return found


@pytest.mark.parametrize(
    ("args", "check"),
    [
        pytest.param(
            ("rollout", "checkout", "10"),
            lambda d: d["strategies"][0]["parameters"]["rollout"] == "10",
            id="rollout",
        ),
        pytest.param(
            ("require", "checkout", "gen0001"),
            lambda d: d["migsafe"] == {"requiresRevision": "gen0001"},
            id="require",
        ),
    ],
)
def test_a_change_racing_the_kill_switch_keeps_the_flag_off(
    ini: Path,
    pg_url: str,
    args: tuple[str, ...],
    check: Callable[[dict[str, Any]], bool],
) -> None:
    assert_ok(run_cli("flags", "create", "checkout", ini=ini, url=pg_url))
    assert_ok(run_cli("flags", "enable", "checkout", ini=ini, url=pg_url))
    store = PostgresStore(pg_url)
    with store.connect() as ops, ops.transaction():
        store.set_enabled("checkout", False, actor="ops", reason="orders failing", conn=ops)
        proc = start(ini, pg_url, *args)
        wait_until(lambda: blocked_on_a_lock(store, proc))
    done = finish(proc)
    assert_ok(done)
    after = definition(store, "checkout")
    assert after["enabled"] is False, "the change undid the kill switch"
    assert check(after)
    assert [e.reason for e in store.history("checkout")][-2] == "orders failing"


def test_a_create_racing_another_create_exits_2_and_keeps_the_first(ini: Path, pg_url: str) -> None:
    assert_ok(run_cli("flags", "init", ini=ini, url=pg_url))
    store = PostgresStore(pg_url)
    first = {"name": "checkout", "enabled": True, "description": "first", "strategies": []}
    with store.connect() as other, other.transaction():
        store.create(first, actor="ann", conn=other)
        proc = start(ini, pg_url, "create", "checkout", "--description", "second")
        wait_until(lambda: blocked_on_a_lock(store, proc))
    line = assert_fails(finish(proc), 2)
    assert "already exists" in line
    assert definition(store, "checkout") == first
    assert [e.actor for e in store.history("checkout")] == ["ann"]
