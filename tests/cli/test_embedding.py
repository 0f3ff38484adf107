"""migsafe inside an application's runtime: `migsafe.run` / `migsafe.api` from the
application's own thread, and `[tool.migsafe] wrapper` around every env.py run.

Two mini runtimes (tests/projects/): one whose env.py must run in an AnyIO worker thread,
one whose env.py needs an instance that a context manager sets. Each runs as the user would
run it: the embedding in a process of its own, the wrapper through the CLI.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

from tests.cli.conftest import Db, assert_fails, assert_ok, cli_env, run_cli

ProjectFn = Callable[[str], Path]

# The application's entry point: its event loop, then migsafe in an AnyIO worker thread.
IN_A_WORKER_THREAD = textwrap.dedent(
    """
    import functools, json, sys
    import anyio, anyio.to_thread
    import migsafe
    from migsafe import api

    ini, url, how = sys.argv[1:4]

    def through_the_cli():
        return migsafe.run(["-c", ini, "--database-url", url, "upgrade"])

    def through_the_api():
        result = api.upgrade(migsafe.settings_for(config=ini, database_url=url))
        return {"status": result.status, "at": list(result.at_heads)}

    fn = through_the_cli if how == "run" else through_the_api
    print(json.dumps(anyio.run(functools.partial(anyio.to_thread.run_sync, fn))))
    """
)


def _embedded(proj: Path, url: str, how: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", IN_A_WORKER_THREAD, str(proj / "alembic.ini"), url, how],
        cwd=proj,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_env_py_that_needs_an_anyio_worker_thread_fails_from_the_command_line(
    project: ProjectFn, pg: Db
) -> None:
    proj = project("anyio_runtime")
    proc = run_cli("upgrade", ini=proj / "alembic.ini", url=pg.url)
    line = assert_fails(proc, 2)
    assert "NoEventLoopError" in line, line
    assert pg.versions() == set()


def test_migsafe_run_from_an_anyio_worker_thread(project: ProjectFn, pg: Db) -> None:
    proj = project("anyio_runtime")

    proc = _embedded(proj, pg.url, "run")

    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1]) == 0, proc.stdout
    assert pg.versions() == {"gen0002"}
    assert [r.status for r in pg.runs()] == ["succeeded"]


def test_migsafe_api_from_an_anyio_worker_thread(project: ProjectFn, pg: Db) -> None:
    proj = project("anyio_runtime")

    proc = _embedded(proj, pg.url, "api")

    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1]) == {"status": "succeeded", "at": ["gen0002"]}
    assert pg.versions() == {"gen0002"}


def test_a_wrapper_sets_the_applications_instance_around_every_env_py_run(
    project: ProjectFn, pg: Db
) -> None:
    proj = project("app_context")
    ini = proj / "alembic.ini"

    up = run_cli("upgrade", ini=ini, url=pg.url)
    assert_ok(up)
    assert pg.versions() == {"gen0002"}
    back = run_cli("revert", "--yes", "--use-downgrade", ini=ini, url=pg.url)
    assert_ok(back)
    assert pg.versions() == set()

    (proj / "pyproject.toml").unlink()
    without = run_cli("upgrade", ini=ini, url=pg.url)
    line = assert_fails(without, 2)
    assert "instance not set" in line, line


def test_a_wrapper_that_cannot_be_imported_is_a_config_error(project: ProjectFn, pg: Db) -> None:
    proj = project("app_context")
    (proj / "pyproject.toml").write_text('[tool.migsafe]\nwrapper = "app_runtime:nowhere"\n')

    proc = run_cli("upgrade", ini=proj / "alembic.ini", url=pg.url)

    line = assert_fails(proc, 2)
    assert "cannot import the env.py wrapper 'app_runtime:nowhere'" in line, line
    assert pg.versions() == set()
