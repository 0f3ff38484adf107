"""`flags list` / `flags show` say what running apps see, not only what is stored.

A flag stored `on` that requires a revision the database lacks is `off` in every client: the
list must say so, and why. Checked against a real client (`FlagClient.from_database`) reading
the same PostgreSQL, so the command and the apps cannot disagree.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flags import FlagClient
from tests.cli.conftest import Db, assert_ok, run_cli

ProjectFn = Callable[[str], Path]


@pytest.fixture
def ini(project: ProjectFn) -> Path:
    return project("generic") / "alembic.ini"


def _run(ini: Path, pg: Db, *args: str) -> Any:
    proc = run_cli(*args, ini=ini, url=pg.url)
    assert_ok(proc)
    return proc


def _listed(ini: Path, pg: Db) -> dict[str, dict[str, Any]]:
    document = json.loads(_run(ini, pg, "flags", "list", "--format", "json").stdout)
    return {f["name"]: f for f in document["flags"]}


def _client_sees(ini: Path, pg: Db, name: str) -> bool:
    client = FlagClient.from_database(pg.url, alembic_config=ini, poll_interval=60)
    try:
        return client.is_enabled(name)
    finally:
        client.close()


def test_a_flag_below_its_revision_is_stored_on_and_seen_off(ini: Path, pg: Db) -> None:
    _run(ini, pg, "upgrade", "gen0002")
    _run(ini, pg, "flags", "init")
    _run(ini, pg, "flags", "create", "seeded_admin")
    _run(ini, pg, "flags", "enable", "seeded_admin")
    _run(ini, pg, "flags", "require", "seeded_admin", "gen0003")

    flag = _listed(ini, pg)["seeded_admin"]
    assert (flag["enabled"], flag["effective"]) == (True, False)
    assert flag["reason"] == "requires gen0003, database at gen0002"
    assert _client_sees(ini, pg, "seeded_admin") is False
    text = _run(ini, pg, "flags", "list").stdout
    assert "off: requires gen0003, database at gen0002" in text
    shown = _run(ini, pg, "flags", "show", "seeded_admin").stdout
    assert "apps see" in shown and "off: requires gen0003, database at gen0002" in shown
    shown_json = json.loads(
        _run(ini, pg, "flags", "show", "seeded_admin", "--format", "json").stdout
    )
    assert (shown_json["flag"]["effective"], shown_json["flag"]["reason"]) == (
        False,
        "requires gen0003, database at gen0002",
    )

    _run(ini, pg, "upgrade")
    flag = _listed(ini, pg)["seeded_admin"]
    assert (flag["enabled"], flag["effective"], flag["reason"]) == (True, True, None)
    assert _client_sees(ini, pg, "seeded_admin") is True


def test_a_killed_flag_says_who_killed_it_and_why(ini: Path, pg: Db) -> None:
    _run(ini, pg, "upgrade")
    _run(ini, pg, "flags", "init")
    _run(ini, pg, "flags", "create", "checkout", "--actor", "ann")
    _run(ini, pg, "flags", "create", "dormant")
    flag = _listed(ini, pg)["checkout"]
    assert (flag["effective"], flag["reason"]) == (False, "not enabled yet")

    _run(ini, pg, "flags", "enable", "checkout")
    _run(ini, pg, "flags", "disable", "checkout", "--actor", "bob", "--reason", "orders failing")

    listed = _listed(ini, pg)
    assert (listed["checkout"]["effective"], listed["checkout"]["reason"]) == (
        False,
        "killed by bob (orders failing)",
    )
    assert listed["dormant"]["reason"] == "not enabled yet"
    assert _client_sees(ini, pg, "checkout") is False
    text = _run(ini, pg, "flags", "list").stdout
    assert "off: killed by bob (orders failing)" in text
