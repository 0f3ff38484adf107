"""timeout-override: a migration that disables or raises ``lock_timeout``/``statement_timeout``.

Why: the guard sets ``lock_timeout`` (and ``statement_timeout`` when configured) so that a
statement waiting for a lock gives up, and is retried, instead of queueing every query on the
table behind it. ``SET lock_timeout = 0`` (or ``RESET``, or ``set_config(...)``) in a revision
turns that off for the rest of the run: one lock wait can stall the application. A
``statement_timeout`` of 0 lets a rewrite run unbounded while it holds its lock.

Instead: keep the guard's values; to give one slow step more time, raise the guard's
(``migsafe upgrade --lock-timeout 10s``) or ``SET LOCAL`` a bounded value just for it.

Detects: ``SET [SESSION|LOCAL] lock_timeout | statement_timeout |
idle_in_transaction_session_timeout`` (``= value``, ``TO DEFAULT``, ``RESET``) and
``SELECT set_config('...', '...', ...)``, to 0 or above the guard's: ``lock_timeout`` above
the guard's; ``statement_timeout`` above the guard's if it sets one, else 1 hour or more.

Not flagged: lowering them; values within the guard's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pglast import ast, enums

from migsafe.lint.context import Context
from migsafe.lint.model import Hit, Rule, Severity, Statement
from migsafe.lint.sqltext import func_name, walk

_SETTINGS = ("lock_timeout", "statement_timeout", "idle_in_transaction_session_timeout")
_HOUR = 3600.0
# PostgreSQL's time units; a bare number is in milliseconds for these settings.
_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0}
_VALUE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$", re.IGNORECASE)


def check(stmt: Statement, ctx: Context) -> Iterator[Hit]:
    node = stmt.node
    if isinstance(node, ast.VariableSetStmt) and (node.name or "").lower() in _SETTINGS:
        name = (node.name or "").lower()
        if node.kind in (enums.VariableSetKind.VAR_SET_DEFAULT, enums.VariableSetKind.VAR_RESET):
            yield Hit(
                f"RESET {name} drops {_guard(name, ctx)} for the rest of the run (back to the "
                "server's default, usually 0: no limit)",
                stmt.line,
            )
        elif node.kind == enums.VariableSetKind.VAR_SET_VALUE:
            yield from _judge(stmt, name, _arg_text(node.args), ctx)
    elif isinstance(node, ast.SelectStmt):
        for call in walk(node):
            if isinstance(call, ast.FuncCall) and func_name(call) in (
                "set_config",
                "pg_catalog.set_config",
            ):
                args = [_arg_text((a,)) for a in call.args or ()]
                if len(args) >= 2 and args[0] is not None and args[0].lower() in _SETTINGS:
                    yield from _judge(stmt, args[0].lower(), args[1], ctx)


def _arg_text(args: Any) -> str | None:
    for arg in args or ():
        while isinstance(arg, ast.TypeCast):
            arg = arg.arg
        val = getattr(arg, "val", None)
        for attr in ("ival", "fval", "sval"):
            if getattr(val, attr, None) is not None:
                return str(getattr(val, attr))
    return None


def seconds(value: str) -> float | None:
    """``'5s'`` -> 5.0, ``'2min'`` -> 120.0, ``3000`` -> 3.0 (ms); None if it is not a time."""
    match = _VALUE.match(value)
    if match is None:
        return None
    unit = (match.group(2) or "ms").lower()
    return float(match.group(1)) * _UNITS[unit]


def _guard_limit(name: str, ctx: Context) -> float | None:
    """The guard's value for ``name``, in seconds; None when the guard sets none."""
    if name == "lock_timeout":
        return ctx.lock_timeout
    if name == "statement_timeout":
        return ctx.statement_timeout
    return None


def _guard(name: str, ctx: Context) -> str:
    limit = _guard_limit(name, ctx)
    return f"the guard's {name} ({_show(limit)})" if limit else f"any {name}"


def _show(value: float) -> str:
    return f"{value:g}s" if value < 60 else f"{value / 60:g}min"


def _judge(stmt: Statement, name: str, value: str | None, ctx: Context) -> Iterator[Hit]:
    got = seconds(value) if value is not None else None
    if got is None:
        return
    limit = _guard_limit(name, ctx)
    if got == 0:
        yield Hit(f"{name} = 0 disables {_guard(name, ctx)} for the rest of the run", stmt.line)
    elif limit is not None and got > limit:
        yield Hit(f"{name} = {value!r} is above {_guard(name, ctx)}", stmt.line)
    elif limit is None and got >= _HOUR:
        yield Hit(
            f"{name} = {value!r} lets a statement hold its locks for an hour or more",
            stmt.line,
        )


RULE = Rule(
    id="timeout-override",
    severity=Severity.WARNING,
    summary="SET lock_timeout / statement_timeout to 0 or above the guard's, inside a revision",
    why="a lock wait or a long statement is no longer bounded: queries queue behind it",
    fix=(
        "remove the SET and let the guard's timeouts stand; for one slow step, raise the\n"
        "guard's (migsafe upgrade --lock-timeout 10s) or bound it locally:\n"
        "    op.execute(\"SET LOCAL statement_timeout = '15min'\")"
    ),
    on_statement=check,
    size_matters=False,
)
