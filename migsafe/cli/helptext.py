"""How `--help` shows options: switches as switches, defaults that rich markup would swallow.

typer (0.29, its vendored click) prints a type for every option in rich help, `<bool>` for a
switch too (`--debug <bool>`), though `--debug true` is an error. It offers no setting for it,
and its own `--help` is one of them, so the one place that decides is patched here: a switch
shows no type. Imported (applied) by `migsafe.cli`.
"""

from __future__ import annotations

from typing import Any

from typer import core

# Shown at the end of every subcommand's --help: their options are not listed there.
GLOBAL_OPTIONS_EPILOG = (
    "Global options, given before the command: -c/--config FILE, --database-url URL, "
    "--debug (tracebacks), -x KEY=VALUE; e.g. `migsafe --database-url URL status`."
)


def default(value: object) -> str:
    """`[default: VALUE]` for a help text; the bracket escaped, or rich reads it as markup."""
    return f"\\[default: {value}]"


def _display_type_rich(self: core.TyperOption, ctx: Any) -> str | None:
    if self.is_flag and self.metavar is None:
        return None
    return _original(self, ctx)


_original = core.TyperOption.display_type_rich
core.TyperOption.display_type_rich = _display_type_rich  # type: ignore[method-assign]
