"""The ``migsafe`` command line: root options, commands and the one error boundary.

Each command parses its options, calls one :mod:`migsafe.api` function and hands the result to
a renderer. Nothing here talks to a database or to Alembic.
"""

from __future__ import annotations

import json
import signal
import sys
import traceback
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from migsafe.cli import helptext  # noqa: F401  (switches shown as switches in --help)
from migsafe.errors import ExitCode, MigsafeError
from migsafe.redaction import scrub_remembered as scrub
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
stdout = Console(highlight=False, width=None if sys.stdout.isatty() else _PIPE_WIDTH)
stderr = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else _PIPE_WIDTH)


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


def _raise_sigint(_signum: int, _frame: object) -> NoReturn:
    raise KeyboardInterrupt


def main() -> None:
    """Entry point: run the app inside the error boundary."""
    signal.signal(signal.SIGTERM, _raise_sigint)
    # Commands register themselves on import.
    from migsafe.cli import commands, flags, reverse, snapshot  # noqa: F401
    from migsafe.cli.usage import explain, normalise_args

    args = normalise_args(sys.argv[1:])
    try:
        code = app(args=args, prog_name="migsafe", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)  # a command's typer.Exit(N), returned in this mode
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        _fail(ExitCode.ROLLED_BACK, "interrupted before anything was changed", None, None)
    except typer.TyperException as exc:  # click's usage errors
        if type(exc).__name__ == "NoArgsIsHelpError":
            sys.exit(int(ExitCode.USAGE))  # typer has printed the help already
        _fail(ExitCode.USAGE, *explain(exc), None)
    except MigsafeError as exc:
        _fail(exc.exit_code, exc.message, exc.hint, exc)
    except KeyboardInterrupt as exc:
        _fail(ExitCode.ROLLED_BACK, "interrupted before anything was changed", None, exc)
    sys.exit(0)


def _fail(code: ExitCode, message: str, hint: str | None, exc: BaseException | None) -> NoReturn:
    # Whoever wrote the text (env.py quoting its URL, a driver), no password reaches the user.
    message, hint = scrub(message), scrub(hint) if hint else hint
    if state.cli.debug and exc is not None:
        sys.stderr.write(scrub("".join(traceback.format_exception(exc))))
    if state.format == Format.json:
        document: dict[str, Any] = {
            "ok": False,
            "exit_code": int(code),
            "error": message,
            "hint": hint,
        }
        result = getattr(exc, "result", None)
        if result is not None and hasattr(result, "to_dict"):
            document["result"] = result.to_dict()
        sections = getattr(exc, "sections", ())
        if sections:
            document["sections"] = [
                {"title": scrub(t), "lines": [scrub(line) for line in lines]}
                for t, lines in sections
            ]
        emit_json(document)
    for title, lines in getattr(exc, "sections", ()):  # context first: the error line stays last
        stderr.print(f"--- {scrub(title)} ---", markup=False, soft_wrap=True)
        for line in lines:
            stderr.print(f"  {scrub(line)}", markup=False, soft_wrap=True)
    # One line each, whatever the width: a log line must stay greppable.
    stderr.print(f"[red]error[/]: {escape(message)}", highlight=False, soft_wrap=True)
    if hint:
        stderr.print(f"hint: {hint}", markup=False, soft_wrap=True)
    sys.exit(int(code))
