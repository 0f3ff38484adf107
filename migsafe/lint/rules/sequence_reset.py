"""sequence-reset: a sequence (or identity) of an existing table moved back to a fixed value.

Why: ``ALTER SEQUENCE ... RESTART``, ``setval('seq', n)`` with a constant, ``ALTER COLUMN ...
RESTART`` (identity) and ``TRUNCATE ... RESTART IDENTITY`` set the next id without looking at
the ids in use: new rows get ids existing rows hold (unique violations on every insert) or
ids other tables still reference (the reference now points at the wrong row). A sequence does
not roll back with the transaction, and nothing records where it was: it cannot be undone.

Instead: move it to what is in use, never below:
``SELECT setval('t_id_seq', (SELECT coalesce(max(id), 1) FROM t))``.

``ALTER COLUMN ... ADD GENERATED AS IDENTITY`` on a column that has values does the same: the
new sequence starts at 1 (or START), whatever ids the rows hold.

Not flagged: ``setval`` to a value computed from the table (also right after adding an
identity) (``max(id)``, a subquery); a
sequence or table created earlier in the same run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pglast import ast, enums

from migsafe.lint.context import Context, key
from migsafe.lint.model import Hit, Rule, Severity, Statement
from migsafe.lint.sqltext import func_name, qualified, walk

_SETVAL = ("setval", "pg_catalog.setval")


def check(stmt: Statement, ctx: Context) -> Iterator[Hit]:
    node = stmt.node
    if isinstance(node, ast.AlterSeqStmt):
        name = qualified(node.sequence)
        restart = _restart(node.options)
        if name and restart is not None and not _new_sequence(name, ctx):
            yield Hit(f"ALTER SEQUENCE {name} RESTART{restart} reuses ids", stmt.line)
    elif isinstance(node, ast.AlterTableStmt):
        table = qualified(node.relation)
        if table is None or ctx.is_new_table(table):
            return
        for cmd in node.cmds or ():
            if not isinstance(cmd, ast.AlterTableCmd):
                continue
            if cmd.subtype == enums.AlterTableType.AT_AddIdentity:
                yield from _identity_added(stmt, table, cmd, ctx)
            elif cmd.subtype == enums.AlterTableType.AT_SetIdentity:
                restart = _restart(cmd.def_)
                if restart is not None:
                    yield Hit(
                        f"ALTER COLUMN {table}.{cmd.name} RESTART{restart} moves its identity "
                        "back: new rows reuse ids",
                        stmt.line,
                        table=table,
                    )
    elif isinstance(node, ast.TruncateStmt) and node.restart_seqs:
        tables = [t for t in (qualified(rv) for rv in node.relations or ()) if t]
        existing = [t for t in tables if not ctx.is_new_table(t)]
        if existing:
            yield Hit(
                f"TRUNCATE {', '.join(existing)} RESTART IDENTITY starts their ids over",
                stmt.line,
                table=existing[0],
            )
    elif isinstance(node, ast.SelectStmt):
        for call in walk(node):
            if isinstance(call, ast.FuncCall) and func_name(call) in _SETVAL:
                yield from _setval(stmt, call, ctx)


def _identity_added(
    stmt: Statement, table: str, cmd: ast.AlterTableCmd, ctx: Context
) -> Iterator[Hit]:
    """``ADD GENERATED ... AS IDENTITY`` on a column with values: its new sequence starts at
    START (1), not above them, unless the run then moves it to what is in use."""
    column = cmd.name or ""
    if ctx.is_new_column(table, column) or _caught_up_later(table, column, ctx):
        return
    start = 1
    options = cmd.def_.options if isinstance(cmd.def_, ast.Constraint) else None
    for opt in options or ():
        if isinstance(opt, ast.DefElem) and opt.defname == "start":
            start = getattr(opt.arg, "ival", start)
    yield Hit(
        f"identity added to {table}.{column} starts at {start}, not above the ids in use: "
        "new rows reuse ids until its sequence is set to max(id)",
        stmt.line,
        table=table,
    )


def _caught_up_later(table: str, column: str, ctx: Context) -> bool:
    """A later ``setval`` of the column's sequence to a value read from the table."""
    sequence = f"{key(table)}_{column.lower()}_seq"
    for later in ctx.following():
        if not isinstance(later.node, ast.SelectStmt):
            continue
        for call in walk(later.node):
            if not (isinstance(call, ast.FuncCall) and func_name(call) in _SETVAL):
                continue
            args = call.args or ()
            if len(args) < 2 or _constant(args[1]):
                continue
            named = _sequence_of(args[0])
            if named is not None and (
                (named[1] is not None and key(named[1]) == key(table))
                or key(named[0].strip("'")) == sequence
            ):
                return True
    return False


def _restart(options: Any) -> str | None:
    """`` WITH n`` / ``''`` when the options restart the sequence; None when they do not."""
    for opt in options or ():
        if isinstance(opt, ast.DefElem) and opt.defname == "restart":
            value = getattr(opt.arg, "ival", None) if opt.arg is not None else None
            return f" WITH {value}" if value is not None else ""
    return None


def _new_sequence(name: str, ctx: Context) -> bool:
    # An identity's or serial's sequence is named <table>_<column>_seq: new with its table.
    return key(name) in ctx.created_sequences or any(
        key(name).startswith(table + "_") and key(name).endswith("_seq")
        for table in ctx.created_tables
    )


def _setval(stmt: Statement, call: ast.FuncCall, ctx: Context) -> Iterator[Hit]:
    args = call.args or ()
    if len(args) < 2 or not _constant(args[1]):
        return  # setval(..., (SELECT max(id) FROM t)): moved to what is in use
    sequence = _sequence_of(args[0])
    if sequence is None:
        return
    shown, table = sequence
    if table is not None and ctx.is_new_table(table):
        return
    if table is None and _new_sequence(shown.strip("'"), ctx):
        return
    value = _constant_text(args[1])
    yield Hit(
        f"setval({shown}, {value}) sets the sequence to a constant, not to the ids in use: "
        "new rows may reuse ids",
        stmt.line,
        table=table,
    )


def _constant(node: Any) -> bool:
    while isinstance(node, ast.TypeCast):
        node = node.arg
    return isinstance(node, ast.A_Const) or (
        isinstance(node, ast.A_Expr) and _constant(node.lexpr) and _constant(node.rexpr)
    )


def _constant_text(node: Any) -> str:
    while isinstance(node, ast.TypeCast):
        node = node.arg
    val = getattr(node, "val", None)
    for attr in ("ival", "fval", "sval"):
        if getattr(val, attr, None) is not None:
            return str(getattr(val, attr))
    return "a constant"


def _sequence_of(node: Any) -> tuple[str, str | None] | None:
    """How ``setval`` names its sequence (``'s'``, ``'s'::regclass``,
    ``pg_get_serial_sequence('t', 'c')``), and the table, when it says."""
    while isinstance(node, ast.TypeCast):
        node = node.arg
    if isinstance(node, ast.A_Const) and isinstance(node.val, ast.String):
        return f"'{node.val.sval}'", None
    if isinstance(node, ast.FuncCall) and func_name(node).endswith("pg_get_serial_sequence"):
        parts = [
            a.val.sval
            for a in node.args or ()
            if isinstance(a, ast.A_Const) and isinstance(a.val, ast.String)
        ]
        if len(parts) == 2:
            return f"pg_get_serial_sequence('{parts[0]}', '{parts[1]}')", parts[0]
    return None


RULE = Rule(
    id="sequence-reset",
    severity=Severity.ERROR,
    summary="ALTER SEQUENCE RESTART / setval to a constant / identity RESTART on existing data",
    why="new rows get ids existing rows hold or references still point to; not reversible",
    fix=(
        "move the sequence to what is in use, never below it:\n"
        "    op.execute(\"SELECT setval('orders_id_seq', "
        '(SELECT coalesce(max(id), 1) FROM orders))")'
    ),
    on_statement=check,
    size_matters=False,
)
