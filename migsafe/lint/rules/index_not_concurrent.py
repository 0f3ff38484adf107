"""index-not-concurrent: ``CREATE INDEX`` without ``CONCURRENTLY`` on an existing table.

Why: a plain ``CREATE INDEX`` takes a SHARE lock on the table for the whole build: every
``INSERT``, ``UPDATE`` and ``DELETE`` waits until the index is built, minutes on a big table.
``REINDEX`` without ``CONCURRENTLY`` does the same (and locks out reads of the index).

Instead: ``CREATE INDEX CONCURRENTLY`` (``op.create_index(..., postgresql_concurrently=True)``)
inside ``with op.get_context().autocommit_block():``; it takes SHARE UPDATE EXCLUSIVE, which
lets writes through. migsafe runs a bare ``CONCURRENTLY`` outside the transaction by itself.

Not flagged: an index on a table created earlier in the same run (it is empty and nobody else
sees it yet).
"""

from __future__ import annotations

from collections.abc import Iterator

from pglast import ast

from migsafe.lint.context import Context
from migsafe.lint.model import Hit, Rule, Severity, Statement
from migsafe.lint.sqltext import qualified


def check(stmt: Statement, ctx: Context) -> Iterator[Hit]:
    node = stmt.node
    if isinstance(node, ast.IndexStmt) and not node.concurrent:
        table = qualified(node.relation)
        if table is None or ctx.is_new_table(table):
            return
        name = f" {node.idxname}" if node.idxname else ""
        yield Hit(
            f"CREATE INDEX{name} on {table} without CONCURRENTLY blocks writes to {table} "
            "(SHARE lock) until the index is built",
            stmt.line,
            table=table,
        )
    elif isinstance(node, ast.ReindexStmt) and not _concurrent(node):
        table = qualified(node.relation)
        if table is not None and ctx.is_new_table(table):
            return
        yield Hit(
            f"REINDEX {table or node.name or ''} without CONCURRENTLY blocks writes while it runs",
            stmt.line,
            table=table,
        )


def _concurrent(node: ast.ReindexStmt) -> bool:
    return any(
        isinstance(p, ast.DefElem) and p.defname == "concurrently" for p in node.params or ()
    )


RULE = Rule(
    id="index-not-concurrent",
    severity=Severity.ERROR,
    summary="CREATE INDEX / REINDEX without CONCURRENTLY on an existing table",
    why="blocks INSERT/UPDATE/DELETE on the table (SHARE lock) for the whole index build",
    fix=(
        "build it with CONCURRENTLY outside the transaction:\n"
        "    with op.get_context().autocommit_block():\n"
        "        op.create_index('ix_t_c', 't', ['c'], postgresql_concurrently=True)"
    ),
    on_statement=check,
)
