"""Propagation: 8 separate processes, each with `FlagClient.from_database`, follow the operator.

`migsafe flags disable X` (the real CLI) is seen by all 8; and `migsafe revert` taking the
database below the revision X requires turns X off in all 8 without anyone touching X. The
only bound is a generous deadline (10 s, twice the fallback poll): no timing is asserted.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.cli.conftest import PROJECTS, Db, assert_ok, run_cli
from tests.support.flag_watchers import watchers

PROCESSES = 8
BOUND = 10.0  # seconds


@pytest.fixture
def ini(tmp_path: Path) -> Path:
    dest = tmp_path / "generic"
    shutil.copytree(PROJECTS / "generic", dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest / "alembic.ini"


def test_eight_processes_follow_the_kill_switch_and_a_revert_below_the_required_revision(
    ini: Path, pg_url: str
) -> None:
    def migsafe(*args: str) -> None:
        assert_ok(run_cli(*args, ini=ini, url=pg_url))

    # Two runs, so that `revert` (which undoes the last run) lands on gen0002, below gen0003.
    migsafe("upgrade", "gen0002")
    migsafe("upgrade")
    migsafe("flags", "create", "new_report", "--description", "needs users.email's backfill")
    migsafe("flags", "enable", "new_report")
    migsafe("flags", "require", "new_report", "gen0003")

    with watchers(pg_url, "new_report", PROCESSES, alembic_ini=ini) as group:
        assert group.current == [True] * PROCESSES

        migsafe("flags", "disable", "new_report", "--reason", "report times out")
        assert len(group.wait_all(False, BOUND)) == PROCESSES

        migsafe("flags", "enable", "new_report")
        assert len(group.wait_all(True, BOUND)) == PROCESSES

        migsafe("revert", "--yes")
        assert Db(pg_url).versions() == {"gen0002"}
        assert len(group.wait_all(False, BOUND)) == PROCESSES

        # And back: upgrading to the revision again brings the flag back everywhere.
        migsafe("upgrade")
        assert len(group.wait_all(True, BOUND)) == PROCESSES
