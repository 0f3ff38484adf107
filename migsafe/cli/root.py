"""The ``migsafe`` app every command registers on: root options, consoles, output format.

The command modules import this, never the :mod:`migsafe.cli` package, whose entry point
imports them.
"""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

import migsafe.cli.helptext  # noqa: F401  (switches shown as switches in --help)
from migsafe.settings import CliOptions, Settings, load_settings

app = typer.Typer(
    name="migsafe",
    help="Recoverable schema changes for Alembic projects.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Piped into a log, rich would wrap tables at 80 columns; a log has room for whole lines.
_PIPE_WIDTH = 160
# An explicit COLUMNS (the terminal convention rich reads itself) wins over that default.
_SIZED = "COLUMNS" in os.environ
stdout = Console(highlight=False, width=None if _SIZED or sys.stdout.isatty() else _PIPE_WIDTH)
stderr = Console(
    stderr=True, highlight=False, width=None if _SIZED or sys.stderr.isatty() else _PIPE_WIDTH
)


class Format(StrEnum):
    text = "text"
    json = "json"


class _State:
    cli = CliOptions()
    format = Format.text


state = _State()

FormatOption = Annotated[
    Format, typer.Option("--format", help="text for people, json for one JSON document on stdout")
]


@app.callback()
def root(
    config: Annotated[
        Path | None,
        typer.Option(
            "-c", "--config", help="Alembic config (default ./alembic.ini, else pyproject.toml)"
        ),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="Database URL (default: MIGSAFE_DATABASE_URL, else the Alembic config's)",
            show_default=False,
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks")] = False,
    x_arg: Annotated[
        list[str] | None,
        typer.Option("-x", help="KEY=VALUE for env.py's context.get_x_argument(), as in Alembic"),
    ] = None,
) -> None:
    state.cli = CliOptions(
        config=config, database_url=database_url, debug=debug, x_args=tuple(x_arg or ())
    )


def settings(**overrides: Any) -> Settings:
    return load_settings(state.cli, **overrides)


def emit_json(document: dict[str, Any]) -> None:
    """One JSON document on stdout; ``ok`` says whether the command succeeded."""
    document = {"ok": True, **document} if "ok" not in document else document
    sys.stdout.write(json.dumps(document, indent=2, default=str) + "\n")
