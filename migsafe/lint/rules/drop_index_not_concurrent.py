"""drop-index-not-concurrent: ``DROP INDEX`` without ``CONCURRENTLY`` of an existing index.

Why: a plain ``DROP INDEX`` takes ACCESS EXCLUSIVE on the index's table. The drop itself is
quick, but the lock request queues behind every running query on the table and every query
arriving after it queues behind the request: one slow report stalls all traffic.

Instead: ``DROP INDEX CONCURRENTLY`` (``op.drop_index(..., postgresql_concurrently=True)``)
inside ``with op.get_context().autocommit_block():``; it waits for running queries without
blocking new ones (SHARE UPDATE EXCLUSIVE). migsafe runs a bare ``CONCURRENTLY`` outside the
transaction by itself.

Flagged: ``DROP INDEX`` (raw or ``op.drop_index``) of an index not created earlier in the run.

Not flagged: ``DROP INDEX CONCURRENTLY``; an index created earlier in the run, or one whose
table (``op.drop_index(..., table_name=)``) was created earlier in the run.
"""

from __future__ import annotations

from collections.abc import Iterator

from pglast import ast, enums

from migsafe.lint.context import Context, key
from migsafe.lint.model import Hit, Rule, Severity, Statement
from migsafe.lint.sqltext import strings


def check(stmt: Statement, ctx: Context) -> Iterator[Hit]:
    node = stmt.node
    if not isinstance(node, ast.DropStmt) or node.removeType != enums.ObjectType.OBJECT_INDEX:
        return
    if node.concurrent:
        return
    table = getattr(stmt.op_object, "table_name", None) if stmt.op == "drop_index" else None
    if table is not None and ctx.is_new_table(table):
        return
    for obj in node.objects or ():
        name = ".".join(strings(obj))
        if not name or key(name) in ctx.created_indexes:
            continue
        on = f" on {table}" if table else ""
        yield Hit(
            f"DROP INDEX {name}{on} without CONCURRENTLY takes ACCESS EXCLUSIVE on the table: "
            "it queues behind running queries and blocks all that come after",
            stmt.line,
            table,
        )


RULE = Rule(
    id="drop-index-not-concurrent",
    severity=Severity.WARNING,
    summary="DROP INDEX without CONCURRENTLY of an existing index",
    why="ACCESS EXCLUSIVE on the table: waits for running queries and blocks every new one",
    fix=(
        "drop it concurrently, outside the transaction:\n"
        "    with op.get_context().autocommit_block():\n"
        "        op.drop_index('ix_t_c', table_name='t', postgresql_concurrently=True)"
    ),
    on_statement=check,
    size_matters=False,
)
