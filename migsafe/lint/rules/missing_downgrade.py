"""missing-downgrade: an empty ``downgrade()`` on a revision migsafe cannot reverse by itself.

Why: migsafe generates the reverse of ``op.*`` operations and of raw DDL it can mirror, and
keeps the before-images of the rows data migrations write, so most revisions need no
``downgrade()`` to be undone. Some steps it cannot reverse: DDL sent through the connection,
statements its raw-SQL mirrors do not read (``CREATE FUNCTION``, ``CREATE TRIGGER``...), a ``DO``
block, ``CALL`` or user function that may change the schema, SQL that does not parse, files or
services the upgrade writes outside the database. With ``downgrade()`` empty (``pass``, a
docstring, ``raise NotImplementedError``) nothing covers them: ``migsafe upgrade`` refuses the
revision unless ``--backup`` or ``--allow-irreversible`` is given, and it cannot be reverted.

Instead: write the ``downgrade()`` for those steps (migsafe tests it in a savepoint right after
the upgrade), or send the DDL through ``op.execute()`` / an ``op.*`` operation it can mirror.

Not flagged: a revision with only ``op.*`` schema operations, mirrored raw DDL, reads and data
changes (INSERT/UPDATE/DELETE, ORM writes): migsafe generates its reverse.
"""

from __future__ import annotations

import ast as pyast
from collections.abc import Iterator

from alembic.operations.ops import ExecuteSQLOp
from pglast import ast

from migsafe.engine.analysis import _local_callees
from migsafe.lint.context import Context
from migsafe.lint.model import Hit, RevisionInput, Rule, Severity, Statement, Via
from migsafe.lint.sqltext import walk
from migsafe.reverse.generate import HANDLERS
from migsafe.reverse.raw_sql import static_verdict
from migsafe.reverse.raw_sql.inert import harmless_select
from migsafe.reverse.rows.writes import writes_of

# DML the capture keeps before-images of (migsafe.reverse.rows): reversed by putting rows back.
_ROW_WRITES = (
    ast.InsertStmt,
    ast.UpdateStmt,
    ast.DeleteStmt,
    ast.MergeStmt,
    ast.TruncateStmt,
    ast.CopyStmt,
)
# Session-only statements the capture lets through on the connection (capture._READ_ONLY).
_SESSION = (ast.VariableSetStmt, ast.VariableShowStmt, ast.ExplainStmt)

# Calls that write outside the database: no reverse script can take them back.
_OUTSIDE = {
    ("subprocess", None),
    ("shutil", None),
    ("os", "system"),
    ("os", "remove"),
    ("os", "unlink"),
    ("os", "rename"),
    ("os", "replace"),
    ("os", "rmdir"),
    ("os", "makedirs"),
    ("requests", "post"),
    ("requests", "put"),
    ("requests", "patch"),
    ("requests", "delete"),
    ("httpx", "post"),
    ("httpx", "put"),
    ("httpx", "patch"),
    ("httpx", "delete"),
    ("urllib", "urlopen"),
}
_WRITING_METHODS = {"write_text", "write_bytes", "unlink", "rmtree", "upload_file", "put_object"}


def check(rev: RevisionInput, ctx: Context) -> Iterator[Hit]:
    if rev.has_downgrade:
        return
    reasons = [r for stmt in rev.statements if (r := uncovered(stmt)) is not None]
    reasons += _outside_writes(rev.source)
    if not reasons:
        return
    more = f" (and {len(reasons) - 1} more)" if len(reasons) > 1 else ""
    yield Hit(
        f"downgrade() is empty and migsafe cannot generate the reverse of {reasons[0]}{more}",
        rev.downgrade_line or 1,
    )


def uncovered(stmt: Statement) -> str | None:
    """Why migsafe's reverse capture cannot reverse ``stmt`` (``"line N: ..."``), or None.

    A static reading of :mod:`migsafe.reverse.capture`: operations through their handlers
    (:data:`migsafe.reverse.generate.HANDLERS`), ``op.execute`` SQL through the raw-SQL mirrors'
    own verdict (:func:`migsafe.reverse.raw_sql.static_verdict`), row writes through their
    before-images (:func:`migsafe.reverse.rows.writes.writes_of`). What only the live schema
    decides (a mirror that finds a dependent object) is left to the run.
    """
    where = f"line {stmt.line}" if stmt.line else "a statement"
    if stmt.via == Via.CONNECTION:
        reason = _on_connection(stmt)
    elif isinstance(stmt.op_object, ExecuteSQLOp) or stmt.from_source:
        reason = _raw(stmt)
    elif stmt.op_object is not None and not any(
        cls in HANDLERS for cls in type(stmt.op_object).__mro__
    ):
        reason = f"{type(stmt.op_object).__name__} has no generated reverse"
    else:
        reason = None
    return f"{where} ({reason})" if reason is not None else None


def _raw(stmt: Statement) -> str | None:
    node = stmt.node
    if node is None:
        return "its SQL does not parse"
    procedural = _procedural(node)
    if procedural is not None:
        return procedural
    if isinstance(node, _ROW_WRITES) or writes_of(stmt.sql).any:
        return None  # before-images captured
    return static_verdict(node)


def _on_connection(stmt: Statement) -> str | None:
    node = stmt.node
    if node is None:
        return "SQL on the connection that does not parse"
    procedural = _procedural(node)
    if procedural is not None:
        return procedural
    if isinstance(node, _ROW_WRITES + _SESSION):
        return None
    if isinstance(node, ast.SelectStmt) and node.intoClause is None:
        return None  # a read (or moves a sequence); user functions were caught above
    if isinstance(node, ast.CreateEnumStmt | ast.CompositeTypeStmt):
        return None  # sa.Enum(...).create(bind): reversed like op.execute
    first = " ".join(stmt.sql.split())
    shown = first if len(first) <= 40 else first[:37] + "..."
    return f"{shown!r} on the connection, not through op.*: not captured"


def _procedural(node: object) -> str | None:
    """Code whose effect the SQL does not show: its rows are captured, a schema change not."""
    if isinstance(node, ast.DoStmt):
        return "a DO block may change the schema"
    if isinstance(node, ast.CallStmt):
        return "CALL runs a procedure that may change the schema"
    if (
        isinstance(node, ast.SelectStmt)
        and node.intoClause is None
        and not node.fromClause
        and harmless_select(node) is None
        and not any(isinstance(n, _ROW_WRITES) for n in walk(node))  # a writing CTE: rows
    ):
        # SELECT backfill(): a function called for its effect. (A SELECT over tables that
        # applies functions to what it reads is a read; the capture checks those at run time.)
        return "a SELECT calls a function that may change the schema"
    return None


def _outside_writes(source: str) -> list[str]:
    """Calls in ``upgrade()`` (and the module's functions it calls) that write elsewhere."""
    try:
        tree = pyast.parse(source)
    except SyntaxError:
        return []
    functions = {
        n.name: n for n in tree.body if isinstance(n, pyast.FunctionDef | pyast.AsyncFunctionDef)
    }
    upgrade = functions.get("upgrade")
    if upgrade is None:
        return []
    found: list[str] = []
    for body in (upgrade, *_local_callees(upgrade, functions, {"upgrade"})):
        for node in pyast.walk(body):
            if isinstance(node, pyast.Call) and _writes_outside(node):
                found.append(f"line {node.lineno} (it writes outside the database)")
    return found


def _writes_outside(call: pyast.Call) -> bool:
    func = call.func
    if isinstance(func, pyast.Name) and func.id == "open":
        return _write_mode(call)
    if not isinstance(func, pyast.Attribute):
        return False
    if func.attr in _WRITING_METHODS:
        return True
    root = func.value
    while isinstance(root, pyast.Attribute):
        root = root.value
    module = root.id if isinstance(root, pyast.Name) else None
    return (module, None) in _OUTSIDE or (module, func.attr) in _OUTSIDE


def _write_mode(call: pyast.Call) -> bool:
    mode = call.args[1] if len(call.args) > 1 else None
    for kw in call.keywords:
        if kw.arg == "mode":
            mode = kw.value
    return (
        isinstance(mode, pyast.Constant)
        and isinstance(mode.value, str)
        and any(c in mode.value for c in "wax+")
    )


RULE = Rule(
    id="missing-downgrade",
    severity=Severity.WARNING,
    summary="empty downgrade() on a revision with a step migsafe cannot reverse by itself",
    why="nothing covers that step: the upgrade is refused without --backup and cannot be reverted",
    fix=(
        "write downgrade() for the steps migsafe cannot reverse, or make them operations:\n"
        "    def downgrade():\n"
        '        op.execute("DROP TRIGGER orders_audit ON orders")\n'
        '        op.execute("DROP FUNCTION orders_audit()")'
    ),
    on_revision=check,
    size_matters=False,
)
