"""Human-readable output for `migsafe flags`: the list, one flag, a change, the audit trail.

Names, descriptions, reasons and actors are anyone's text (an import, another tool writing the
store): each goes through `_text`, which shows control characters as escapes (`\\x1b`), so
that a description holding `ESC [2J` cannot clear the operator's screen or retitle the window.
JSON output is left exact.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from migsafe.render.tables import Column, print_table

if TYPE_CHECKING:
    from migsafe.flags_results import (
        AuditRecord,
        FlagChange,
        FlagDetail,
        FlagHistory,
        FlagList,
        FlagSummary,
        ImportResult,
        InitResult,
    )


# C0 and C1 controls, DEL, and the bidirectional controls that reorder what a terminal shows.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _shown(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}")


def visible(text: str) -> str:
    """`text` with every control character written as an escape, e.g. ESC as `\\x1b`."""
    return _CONTROL.sub(_shown, text)


def _text(value: object) -> str:
    """Anyone's text, ready for rich: controls made visible, markup escaped.

    A definition may hold any JSON value where a string belongs (`"type": 5`): shown as text.
    """
    return escape(visible("" if value is None else str(value)))


def _state(flag: FlagSummary) -> str:
    return "[green]on[/]" if flag.enabled else "[red]off[/]"


def _effective(flag: FlagSummary) -> str:
    """What running apps see now: `on`, or `off: why` (`requires REV, database at REV`)."""
    if flag.effective is None:
        return "-"
    if flag.effective:
        return "[green]on[/]"
    return "[red]off[/]" + (f": {_text(flag.reason)}" if flag.reason else "")


def _when(at: str) -> str:
    return at.replace("T", " ")[:19] + " UTC"


_TRIGGER = {
    "installed": "notify trigger installed on the Alembic version table {table}",
    "present": "notify trigger on the Alembic version table {table} present",
    "no-version-table": (
        "no Alembic version table {table} yet: run `migsafe flags init` again after the first "
        "migration, or clients see revision changes only at their next poll"
    ),
    "not-permitted": (
        "not allowed to put the notify trigger on the Alembic version table {table} (its "
        "owner can): clients see revision changes at their next poll"
    ),
}


# How the version table was found, when it was not named (option) or read from env.py.
_FOUND = {
    "history": "version table {table}: the one migsafe's last recorded run used",
    "default": (
        "version table {table}: the default (no Alembic project here, no run in migsafe's "
        "history); `migsafe flags --version-table NAME init` names another"
    ),
}


def init(console: Console, result: InitResult) -> None:
    console.print(
        f"[green]ok[/]: flag tables ready in schema {result.schema} of {_text(result.database)}"
        f" ({result.flags} flag{'' if result.flags == 1 else 's'})"
    )
    line = _TRIGGER.get(result.trigger, "notify trigger on {table}: " + result.trigger)
    console.print(line.format(table=_text(result.version_table)), soft_wrap=True)
    found = _FOUND.get(result.version_table_from)
    if found:
        console.print(found.format(table=_text(result.version_table)), soft_wrap=True)


def flag_list(console: Console, result: FlagList) -> None:
    if not result.flags:
        console.print(f"No flags in {result.schema} of {_text(result.database)}.")
        return
    console.print(
        f"Flags in {result.schema} of {_text(result.database)} (version {result.version})",
        overflow="fold",
    )
    columns = (
        Column("name", key=True),
        Column("stored"),
        Column("apps see"),
        Column("rollout"),
        Column("requires", key=True),
        Column("type", drop=2),
        Column("description", drop=1),
    )
    rows = [
        (
            _text(flag.name),
            _state(flag),
            _effective(flag),
            flag.rollout,
            _text(flag.requires or "-"),
            _text(flag.type or "-"),
            _text(flag.description or ""),
        )
        for flag in result.flags
    ]
    print_table(console, columns, rows)


def _record_line(record: AuditRecord) -> str:
    why = f": {_text(record.reason)}" if record.reason else ""
    return f"{_when(record.at)}  {_text(record.actor)}  {_text(record.change)}{why}"


def flag_show(console: Console, detail: FlagDetail) -> None:
    flag = detail.flag
    rows = [
        ("name", _text(flag.name)),
        ("stored", _state(flag)),
        ("apps see", _effective(flag)),
        ("rollout", flag.rollout),
        ("requires", _text(flag.requires or "nothing")),
        ("type", _text(flag.type or "-")),
        ("description", _text(flag.description or "")),
        ("last change", _record_line(detail.last_change) if detail.last_change else "-"),
    ]
    for key, value in rows:
        console.print(f"{key:<12} {value}")
    console.print("definition:")
    # json.dumps writes every control and non-ASCII character as a \\u escape already.
    console.print(escape(json.dumps(dict(flag.definition), indent=2)), soft_wrap=True)


def change(console: Console, result: FlagChange) -> None:
    name = _text(result.flag.name)
    if not result.changed:
        console.print(f"unchanged: {name} is already {_describe(result.flag)}")
    else:
        console.print(
            f"[green]ok[/]: {name}: {_text(result.change)} (by {_text(result.actor)}, "
            f"version {result.version})"
        )
        if result.command in ("rollout", "require") and not result.flag.enabled:
            console.print(f"{name} is off: `migsafe flags enable {name}` switches it on")
    for warning in result.warnings:
        console.print(f"[yellow]warning[/]: {_text(warning)}", soft_wrap=True)


def _describe(flag: FlagSummary) -> str:
    text = f"{'on' if flag.enabled else 'off'}, rollout {flag.rollout}"
    return text + (f", requires {_text(flag.requires)}" if flag.requires else "")


def history(console: Console, result: FlagHistory) -> None:
    if not result.entries:
        console.print(f"No recorded changes of {_text(result.name)}.")
        return
    columns = (Column("when"), Column("who", drop=1), Column("change"), Column("reason"))
    rows = [
        (_when(r.at), _text(r.actor), _text(r.change), _text(r.reason or ""))
        for r in result.entries
    ]
    print_table(console, columns, rows, title=f"Changes of {_text(result.name)}, oldest first")


def imported(console: Console, result: ImportResult) -> None:
    parts = [
        f"{len(result.created)} created",
        f"{len(result.updated)} updated",
        f"{len(result.unchanged)} unchanged",
    ]
    segments = (result.segments_created, result.segments_updated, result.segments_unchanged)
    if any(segments):
        parts.append(
            f"segments: {len(segments[0])} created, {len(segments[1])} updated,"
            f" {len(segments[2])} unchanged"
        )
    console.print(
        f"[green]ok[/]: imported {_text(result.source)} into {result.schema} of "
        f"{_text(result.database)}: {', '.join(parts)}"
    )
    for label, names in (("created", result.created), ("updated", result.updated)):
        for name in names:
            console.print(f"  {label} {_text(name)}")
