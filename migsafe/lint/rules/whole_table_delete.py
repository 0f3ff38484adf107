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
from migsafe.lint.model import Hit, RevisionInput, Rule, Severity, Statement, Via
from migsafe.lint.rules._data import (
    dml,
    node_of,
    unfiltered,
    whole_table_hits,
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
    yield from whole_table_hits(rev, ctx, "delete", "deletes", "all rows locked until commit")


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
