"""The ``migsafe`` command line: root options, commands and the one error boundary.

Each command parses its options, calls one :mod:`migsafe.api` function and hands the result to
a renderer. Nothing here talks to a database or to Alembic.
"""

from __future__ import annotations

import sys
import traceback
from typing import Any, NoReturn

import typer
from rich.markup import escape

from migsafe.cli import commands, flags, lint, reverse, snapshot  # noqa: F401  (they register on app)
from migsafe.cli.root import Format, app, emit_json, settings, state, stderr, stdout
from migsafe.cli.usage import explain, normalise_args
from migsafe.engine import interrupts
from migsafe.errors import ExitCode, MigsafeError
from migsafe.redaction import mask_url_passwords, remember_url
from migsafe.redaction import scrub_remembered as scrub

__all__ = ["Format", "app", "emit_json", "main", "run_app", "settings", "state", "stderr", "stdout"]


def main() -> None:
    """Entry point: run the app inside the error boundary, with the signals handled."""
    interrupts.install()
    run_app(sys.argv[1:])


def run_app(argv: list[str]) -> NoReturn:
    """The one error boundary: run ``migsafe ARGV...`` and exit with the code that says the
    state the database is in (docs/runbook.md)."""
    args = normalise_args(argv)
    try:
        code = app(args=args, prog_name="migsafe", standalone_mode=False)
        if code == _TYPER_INTERRUPTED:  # typer returns Exit(130) for a KeyboardInterrupt
            _interrupted(None)
        if isinstance(code, int) and code:
            sys.exit(code)  # a command's typer.Exit(N), returned in this mode
    except typer.Exit as exc:
        if exc.exit_code:
            sys.exit(exc.exit_code)
    except typer.Abort as exc:  # click turns a KeyboardInterrupt into Abort
        _interrupted(exc.__cause__ or exc)
    except typer.TyperException as exc:  # click's usage errors
        if type(exc).__name__ == "NoArgsIsHelpError":
            sys.exit(int(ExitCode.USAGE))  # typer has printed the help already
        _fail(ExitCode.USAGE, *explain(exc), None)
    except MigsafeError as exc:
        _fail(exc.exit_code, exc.message, exc.hint, exc)
    except KeyboardInterrupt as exc:
        _interrupted(exc)
    except Exception as exc:  # migsafe's own bug: the one place it is caught
        _crash(exc)
    _signal_after_commit()
    sys.exit(0)


_TYPER_INTERRUPTED = 130


def _interrupted(exc: BaseException | None) -> NoReturn:
    """A signal (or Ctrl-C) ended the command before it committed anything.

    Signals that arrive once a run has changed the database end inside the runner, which
    names the state (exit 4 or 5); one that reaches this boundary found the work either not
    begun or not committed: the database is as it was.
    """
    if interrupts.settled():
        _signal_after_commit()
        sys.exit(0)
    name = interrupts.received() or "SIGINT"
    phase = interrupts.phase()
    where = f" while {phase}" if phase else ""
    _fail(
        ExitCode.ROLLED_BACK,
        f"interrupted by {name}{where}; nothing was committed: the database is as it was",
        "run the command again when ready",
        exc,
    )


def _signal_after_commit() -> None:
    """The one line that says a signal came once the work was committed (exit 0)."""
    name = interrupts.received()
    note = interrupts.settled()
    if name is None or note is None:
        return
    stderr.print(
        f"{name} arrived after the work was committed; it was finished, not undone: {note}",
        markup=False,
        soft_wrap=True,
    )


def _crash(exc: Exception) -> NoReturn:
    """A bug in migsafe: its own exit code, one line, the state; the traceback with --debug."""
    remember_url(state.cli.database_url)  # a crash may come before the settings were read
    text = mask_url_passwords(" ".join(str(exc).split()))[:300]
    where = getattr(exc, "migsafe_state", None)
    if where is None:
        settled = interrupts.settled()
        where = (
            f"the work was committed before it: {settled}"
            if settled
            else "the state of the database is not known: `migsafe status` tells"
        )
    _fail(
        ExitCode.INTERNAL,
        f"internal error in migsafe: {type(exc).__name__}: {text}; {where}",
        "this is a bug in migsafe: rerun with --debug for the traceback and report it",
        exc,
    )


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
