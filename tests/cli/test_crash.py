"""A bug in migsafe (an exception nothing classifies) has its own exit code (6), one line that
names it and the state of the database, and the traceback only with --debug.

The bug is injected into an internal function of a real ``migsafe`` process (a migration
that raises is a migration failure, exit 4, not a crash).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import Db, assert_fails, cli_env, show

ProjectFn = Callable[[str], Path]

# Runs migsafe's own entry point with one internal function replaced by one that raises.
CRASHING = textwrap.dedent(
    """
    import sys
    import importlib

    module_name, attr = sys.argv[1], sys.argv[2]
    owner_path, _, name = attr.rpartition(".")
    owner = importlib.import_module(module_name)
    for part in filter(None, owner_path.split(".")):
        owner = getattr(owner, part)

    def broken(*args, **kwargs):
        raise RuntimeError("injected bug postgresql://app:hunter2@db/app")

    setattr(owner, name, broken)
    sys.argv = ["migsafe", *sys.argv[3:]]
    from migsafe.cli import main

    main()
    """
)


def run_crashing(
    where: str, ini: Path, url: str, *args: str, debug: bool = False
) -> subprocess.CompletedProcess[str]:
    module, _, attr = where.partition(":")
    argv = ["-c", str(ini), "--database-url", url, *(["--debug"] if debug else []), *args]
    return subprocess.run(
        [sys.executable, "-c", CRASHING, module, attr, *argv],
        cwd=ini.parent,
        env=cli_env(),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


def error_line_of(proc: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, show(proc)
    return lines[0]


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_a_crash_before_the_run_is_exit_6_one_line_traceback_only_with_debug(
    project: ProjectFn, pg: Db, debug: bool
) -> None:
    ini = project("generic") / "alembic.ini"
    before = pg.fingerprint()

    proc = run_crashing(
        "migsafe.engine.runner:reverse_options", ini, pg.url, "upgrade", debug=debug
    )

    assert proc.returncode == 6, show(proc)
    line = error_line_of(proc)
    assert "internal error in migsafe: RuntimeError: injected bug" in line
    assert "the state of the database is not known: `migsafe status` tells" in line
    assert "hunter2" not in line  # a URL in the message is redacted
    assert "rerun with --debug" in proc.stderr and "report it" in proc.stderr
    assert ("Traceback" in proc.stderr) is debug, show(proc)
    assert pg.fingerprint() == before
    assert pg.versions() == set()


def test_a_crash_after_the_run_committed_names_the_committed_state(
    project: ProjectFn, pg: Db
) -> None:
    ini = project("generic") / "alembic.ini"

    proc = run_crashing("migsafe.render.text:run_result", ini, pg.url, "upgrade")

    line = assert_fails(proc, 6)
    (run,) = pg.runs()
    assert "internal error in migsafe: RuntimeError: injected bug" in line
    assert (
        f"the work was committed before it: upgrade run {run.run_id} succeeded, the database "
        "is at gen0003" in line
    )
    assert run.status == "succeeded"
    assert pg.versions() == {"gen0003"}


def test_a_crash_inside_the_run_after_its_last_commit_says_the_work_is_done(
    project: ProjectFn, pg: Db
) -> None:
    ini = project("generic") / "alembic.ini"

    proc = run_crashing("migsafe.engine.guard:Guard._succeeded", ini, pg.url, "upgrade")

    line = assert_fails(proc, 6)
    assert "internal error in migsafe: RuntimeError: injected bug" in line
    assert "every step was committed before it: the database is at gen0003" in line
    assert pg.versions() == {"gen0003"}
    (run,) = pg.runs()
    assert (run.status, run.to_revisions) == ("succeeded", ("gen0003",))
    assert "internal error RuntimeError: injected bug" in (run.error or "")
