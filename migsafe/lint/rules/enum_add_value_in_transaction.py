"""enum-add-value-in-transaction: ``ALTER TYPE ... ADD VALUE`` inside the migration's transaction.

Why: before PostgreSQL 12, ``ALTER TYPE ... ADD VALUE`` cannot run in a transaction block at
all (unless the type was created in the same transaction): the migration fails. From 12 on it
can, but the new value cannot be used until the transaction commits ("unsafe use of new value
of enum type"): an ``UPDATE``, ``INSERT`` or ``DEFAULT`` that uses it later in the same
transaction fails. migsafe runs the whole chain of pending revisions in one transaction, so a
later revision that uses the value fails too.

Instead: add the value in ``with op.get_context().autocommit_block():``, which commits it on its
own; whatever uses it then runs in the next transaction.

Not flagged: inside ``autocommit_block()``; a type created earlier in the same run (its new
values are usable at once, on every version); on PostgreSQL 12+ when nothing later in the same
transaction uses the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pglast import ast, enums

from migsafe.lint.context import Context, key
from migsafe.lint.model import Hit, Rule, Severity, Statement
from migsafe.lint.sqltext import strings, walk

_PG12 = 120000


def check(stmt: Statement, ctx: Context) -> Iterator[Hit]:
    node = stmt.node
    if not isinstance(node, ast.AlterEnumStmt) or not node.newVal or node.oldVal is not None:
        return  # RENAME VALUE is transactional and usable at once
    if stmt.autocommit:
        return
    type_name = ".".join(strings(node.typeName))
    if key(type_name) in ctx.created_types:
        return
    value = node.newVal
    if ctx.server_version < _PG12:
        yield Hit(
            f"ALTER TYPE {type_name} ADD VALUE {value!r} fails inside a transaction block "
            f"before PostgreSQL 12 (server {ctx.server_version})",
            stmt.line,
        )
        return
    user = _first_use(value, ctx)
    if user is not None:
        where = f"line {user.line}" if user.revision == stmt.revision else user.revision
        yield Hit(
            f"ALTER TYPE {type_name} ADD VALUE {value!r} is not committed when {where} uses it "
            "in the same transaction: unsafe use of new value, the migration fails",
            stmt.line,
        )


def _first_use(value: str, ctx: Context) -> Statement | None:
    """The first later statement of the same transaction that uses ``value``."""
    for later in ctx.following():
        if later.autocommit or _commits(later):
            return None  # autocommit_block() (or a COMMIT) committed the value
        if _uses(later, value):
            return later
    return None


def _commits(stmt: Statement) -> bool:
    node = stmt.node
    return isinstance(node, ast.TransactionStmt) and node.kind in (
        enums.TransactionStmtKind.TRANS_STMT_COMMIT,
        enums.TransactionStmtKind.TRANS_STMT_COMMIT_PREPARED,
    )


def _uses(stmt: Statement, value: str) -> bool:
    if isinstance(stmt.node, ast.AlterEnumStmt):
        return False  # ADD VALUE ... BEFORE/AFTER 'x' names a value, it does not store it
    if stmt.node is None:
        quoted = "'" + value.replace("'", "''") + "'"
        return re.search(re.escape(quoted), stmt.sql) is not None
    return any(
        isinstance(n, ast.A_Const) and isinstance(n.val, ast.String) and n.val.sval == value
        for n in walk(stmt.node)
    )


RULE = Rule(
    id="enum-add-value-in-transaction",
    severity=Severity.ERROR,
    summary="ALTER TYPE ... ADD VALUE in the transaction, used before it commits (or PG < 12)",
    why="PG < 12 refuses ADD VALUE in a transaction; on 12+ the value is unusable until commit",
    fix=(
        "add the value in its own committed step, use it after:\n"
        "    with op.get_context().autocommit_block():\n"
        "        op.execute(\"ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh'\")\n"
        "    op.execute(\"UPDATE person SET mood = 'meh' WHERE mood IS NULL\")"
    ),
    on_statement=check,
    size_matters=False,
)
