"""migsafe inside an application's own process: its runtime, its thread.

Some env.py files only run inside their application: Prefect's must run in an AnyIO worker
thread started from its event loop; others need the application's instance set by a context
manager. Two ways in:

* :func:`run`: any migsafe command, as on the command line, from the caller's thread (a
  worker thread included) and context. It prints what the CLI prints and returns the exit
  code instead of exiting; it installs no signal handler.
* :func:`settings_for` and the :mod:`migsafe.api` functions: the same commands as Python calls
  returning result objects (``api.upgrade(settings_for(config="alembic.ini"))``), failures raised
  as :class:`migsafe.errors.MigsafeError` with ``exit_code`` and ``hint``.

Without code: ``[tool.migsafe] wrapper = "package.module:factory"`` names a context manager
that migsafe enters around every env.py run (docs/env-py.md).

One command at a time per process: the command line's options live in module state.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from migsafe.engine import interrupts
from migsafe.errors import ExitCode
from migsafe.settings import CliOptions, Settings, load_settings


def run(argv: Sequence[str]) -> int:
    """Run ``migsafe ARGV...`` in this process and thread; return its exit code."""
    import migsafe.cli as cli  # typer and rich: not for settings_for() alone

    # The same boundary as cli.main(), without its signal handlers (main thread only) and
    # with the exit code returned: cli.run_app() prints the one error line, then exits.
    interrupts.reset()
    cli.state.cli = CliOptions()
    cli.state.format = cli.Format.text
    try:
        cli.run_app([str(arg) for arg in argv])
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else int(ExitCode.USAGE)


def settings_for(
    *,
    config: str | os.PathLike[str] | None = None,
    database_url: str | None = None,
    cwd: str | os.PathLike[str] | None = None,
    x_args: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
    **options: Any,
) -> Settings:
    """The :class:`Settings` the command line would build, for the :mod:`migsafe.api` calls.

    ``config``: the Alembic config (default ``./alembic.ini``, else pyproject.toml in
    ``cwd``); ``database_url``: as ``--database-url``; ``options``: what the commands' options
    set (``lock_timeout="5s"``, ``retries=3``, ``verify=[...]``, ``allow_irreversible=True``...).
    The environment (``MIGSAFE_*``, or ``environ``) and ``[tool.migsafe]`` fill in the rest.
    """
    return load_settings(
        CliOptions(
            config=Path(config) if config is not None else None,
            database_url=database_url,
            x_args=tuple(x_args),
        ),
        environ=environ,
        cwd=Path(cwd) if cwd is not None else None,
        **options,
    )
