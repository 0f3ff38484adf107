"""whole-table-delete: ``DELETE`` without ``WHERE`` on an existing table.

Why: every row is deleted in one statement inside the migration's transaction (under migsafe
the whole chain is one): all rows stay locked against other writers until the commit, every
row leaves a dead version the table keeps until vacuum, the WAL and the replicas take the
whole table at once, ``ON DELETE CASCADE`` foreign keys delete from other tables too, and the
running release sees its data vanish at the commit.

Instead: when the rows are no longer needed, delete them in bounded batches that commit one by
one (``autocommit_block()`` or a job), once no release reads them; to empty a table nobody
uses any more, drop it in a later release.

Detects: ``DELETE FROM t`` with no WHERE (or ``WHERE TRUE``), through ``op.execute``, the
connection, SQLAlchemy Core (``sa.delete(t)``) or a data-modifying ``WITH``; and
``session.query(Model).delete()`` without a filter (read from the source); a batched delete
(``for lo in range(...)`` or ``while``, each round a DELETE) outside ``autocommit_block()``: its
batches commit together.

Not flagged: a table created earlier in the same run; a DELETE with a WHERE; a batched delete
inside ``autocommit_block()``.
"""

from __future__ import annotations

from collections.abc import Iterator

from pglast import ast

from migsafe.lint.context import Context
from migsafe.lint.model import Hit, PyKind, RevisionInput, Rule, Severity, Statement, Via
from migsafe.lint.rules._data import (
    batch_loops,
    core_unfiltered,
    dml,
    model_table,
    node_of,
    unfiltered,
)
from migsafe.lint.sqltext import qualified


def check(stmt: Statement, ctx: Context) -> Iterator[Hit]:
    node = node_of(stmt)
    if node is None:
        return
    for delete in dml(node, ast.DeleteStmt):
        table = qualified(delete.relation)
        if table is None or ctx.is_new_table(table) or not unfiltered(delete.whereClause):
            continue
        where = "without WHERE" if delete.whereClause is None else "with an always-true WHERE"
        inside = " in a WITH" if delete is not node else ""
        via = " through the connection" if stmt.via == Via.CONNECTION else ""
        yield Hit(
            f"DELETE FROM {table} {where}{inside}{via} deletes every row of "
            f"{table} in the migration's transaction: all rows locked until commit, the running "
            "release loses them",
            stmt.line,
            table=table,
        )


def check_revision(rev: RevisionInput, ctx: Context) -> Iterator[Hit]:
    yield from _orm(rev, ctx)
    yield from _batches(rev, ctx)
    yield from _unrendered_core(rev, ctx)


def _unrendered_core(rev: RevisionInput, ctx: Context) -> Iterator[Hit]:
    """SQLAlchemy Core statements the render did not reach (it stopped at an ORM session)."""
    if rev.stopped_at is None:
        return
    rendered = {s.line for s in rev.statements if not s.from_source}
    for line, target, table in core_unfiltered(rev.source, "delete", rev.stopped_at):
        if line in rendered or ctx.is_new_table(table):
            continue
        yield Hit(
            f"DELETE FROM {table or target} without WHERE (a Core delete of {target} with no "
            f".where()) deletes every row of it in the migration's transaction: all rows locked "
            "until commit",
            line,
            table=table,
        )


def _batches(rev: RevisionInput, ctx: Context) -> Iterator[Hit]:
    """Batches in a loop help only when each commits: in the migration's transaction they
    add up to one statement over the whole table."""
    for line, table in batch_loops(rev.source, "delete"):
        if ctx.is_new_table(table):
            continue
        name = table or "the table"
        yield Hit(
            f"loop sends DELETE FROM {name} batch by batch in the migration's transaction: "
            "the batches commit together, every row they touch stays locked until the end; "
            "run the loop in autocommit_block()",
            line,
            table=table,
        )


def _orm(rev: RevisionInput, ctx: Context) -> Iterator[Hit]:
    for fact in rev.python:
        if fact.kind != PyKind.ORM_DELETE_ALL:
            continue
        table = model_table(rev.source, fact.detail) if fact.detail else None
        if ctx.is_new_table(table):
            continue
        model = fact.detail or "the model"
        target = f" ({table})" if table else ""
        yield Hit(
            f"query({model}).delete() without a filter deletes every row of {model}{target} "
            "in the migration's transaction: all rows locked until commit",
            fact.line,
            table=table,
        )


RULE = Rule(
    id="whole-table-delete",
    severity=Severity.WARNING,
    summary="DELETE without WHERE (or ORM query.delete() without a filter) on an existing table",
    why=(
        "deletes every row in one transaction: row locks on all of them until commit, dead "
        "rows until vacuum, a burst of WAL, and the running release loses its data"
    ),
    fix=(
        "delete in bounded batches that commit one by one, once no release reads the rows:\n"
        "    conn = op.get_bind()\n"
        "    with op.get_context().autocommit_block():\n"
        "        while conn.execute(sa.text(\n"
        '            "DELETE FROM t WHERE id IN (SELECT id FROM t WHERE <condition> LIMIT 10000)"\n'
        "        )).rowcount:\n"
        "            pass\n"
        "or, for a table no release uses any more, drop it in a later release"
    ),
    on_statement=check,
    on_revision=check_revision,
)
