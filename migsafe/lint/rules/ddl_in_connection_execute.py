"""ddl-in-connection-execute: schema changes sent through the connection, not an ``op``.

Why: ``op.get_bind().execute(sa.text("ALTER TABLE ..."))`` (or ``exec_driver_sql``) goes around
Alembic's operations: no operation object exists for it, so nothing that works on operations
sees it (``Operations.invoke`` hooks and extensions, migsafe's reverse generator). migsafe's
reverse generator mirrors raw DDL only when it arrives through ``op.execute()``; on the
connection it cannot, and the revision becomes irreversible (refused unless ``--backup``,
``--allow-irreversible`` or a tested ``downgrade()`` covers it).

Instead: ``op.execute(sa.text("ALTER TABLE ..."))``, or the ``op.*`` operation itself
(``op.add_column``, ``op.create_index``...).

Not flagged: data changes and reads through the connection (data migrations: their rows'
before-images are captured); ``SET``/``SHOW``; ``CREATE TYPE`` (what
``sa.Enum(...).create(op.get_bind())`` sends: migsafe reverses it); DDL through ``op.execute``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pglast import ast

from migsafe.lint.context import Context
from migsafe.lint.model import Hit, Rule, Severity, Statement, Via

# Statements that read, write rows or act on the session: not schema changes.
_NOT_DDL: tuple[type, ...] = (
    ast.SelectStmt,
    ast.InsertStmt,
    ast.UpdateStmt,
    ast.DeleteStmt,
    ast.MergeStmt,
    ast.CopyStmt,
    ast.TruncateStmt,
    ast.VariableSetStmt,
    ast.VariableShowStmt,
    ast.ExplainStmt,
    ast.TransactionStmt,
    ast.LockStmt,
    ast.NotifyStmt,
    ast.ListenStmt,
    ast.UnlistenStmt,
    ast.DeclareCursorStmt,
    ast.FetchStmt,
    ast.ClosePortalStmt,
    ast.PrepareStmt,
    ast.ExecuteStmt,
    ast.DeallocateStmt,
    ast.DiscardStmt,
    ast.CheckPointStmt,
    ast.VacuumStmt,
    ast.DoStmt,  # procedural: what it does is missing-downgrade's question
    ast.CallStmt,
)
# CREATE TYPE on the connection is what SQLAlchemy sends for sa.Enum(...).create(bind); the
# reverse capture reverses it like op.execute (migsafe.reverse.capture._created_on_the_side).
_CREATE_TYPE = re.compile(r"^\s*CREATE\s+TYPE\b", re.IGNORECASE)
_DDL_WORD = re.compile(
    r"^\s*(CREATE|ALTER|DROP|COMMENT|GRANT|REVOKE|REINDEX|CLUSTER|REFRESH|SECURITY)\b",
    re.IGNORECASE,
)


def check(stmt: Statement, ctx: Context) -> Iterator[Hit]:
    if stmt.via != Via.CONNECTION or _CREATE_TYPE.match(stmt.sql):
        return
    node = stmt.node
    if node is None:
        ddl = _DDL_WORD.match(stmt.sql) is not None
    elif isinstance(node, ast.SelectStmt) and node.intoClause is not None:
        ddl = True  # SELECT ... INTO creates a table
    else:
        ddl = not isinstance(node, _NOT_DDL)
    if not ddl:
        return
    first = " ".join(stmt.sql.split())
    shown = first if len(first) <= 60 else first[:57] + "..."
    yield Hit(
        f"DDL through the connection ({shown}): not an Alembic operation, so migsafe cannot "
        "generate its reverse; use op.execute()",
        stmt.line,
    )


RULE = Rule(
    id="ddl-in-connection-execute",
    severity=Severity.WARNING,
    summary="DDL sent through op.get_bind().execute() / exec_driver_sql instead of an op",
    why="bypasses Alembic's operations: migsafe cannot mirror it and the revision is irreversible",
    fix=(
        "send it as an operation:\n"
        '    op.execute(sa.text("ALTER TABLE orders ADD COLUMN note text"))\n'
        "    # or: op.add_column('orders', sa.Column('note', sa.Text()))"
    ),
    on_statement=check,
    size_matters=False,
)
