"""truncate-table: ``TRUNCATE`` of an existing table.

Why: ``TRUNCATE`` takes an ACCESS EXCLUSIVE lock (even reads of the table wait, until the
migration's transaction commits: under migsafe, the end of the chain) and empties the table:
the running release loses every row at the commit, with no way back but a backup. ``CASCADE``
also empties every table with a foreign key to it, which the migration does not name.

Instead: if the data must go, stop using the table first (release 1), then drop it in a later
revision (release 2); to clear rows that are no longer needed, delete them in batches that
commit one by one.

Not flagged: a table created earlier in the same run.
"""

from __future__ import annotations

from collections.abc import Iterator

from pglast import ast, enums

from migsafe.lint.context import Context
from migsafe.lint.model import Hit, Rule, Severity, Statement
from migsafe.lint.sqltext import qualified


def check(stmt: Statement, ctx: Context) -> Iterator[Hit]:
    node = stmt.node
    if not isinstance(node, ast.TruncateStmt):
        return
    cascade = node.behavior == enums.DropBehavior.DROP_CASCADE
    for rv in node.relations or ():
        table = qualified(rv)
        if table is None or ctx.is_new_table(table):
            continue
        also = " CASCADE (and every table with a foreign key to it)" if cascade else ""
        yield Hit(
            f"TRUNCATE {table}{also} takes ACCESS EXCLUSIVE on {table} (reads wait) and "
            "empties it: the running release loses the rows",
            stmt.line,
            table=table,
        )


RULE = Rule(
    id="truncate-table",
    severity=Severity.ERROR,
    summary="TRUNCATE of an existing table",
    why=(
        "ACCESS EXCLUSIVE lock (reads wait) until commit, and every row is gone: the running "
        "release loses its data"
    ),
    fix=(
        "release 1 stops reading and writing the table; release 2 drops it:\n"
        '    op.drop_table("t")  # a later revision, once no release uses it\n'
        "or delete what is no longer needed in batches that commit one by one:\n"
        "    with op.get_context().autocommit_block():\n"
        "        while op.get_bind().execute(sa.text(\n"
        '            "DELETE FROM t WHERE id IN (SELECT id FROM t WHERE <condition> LIMIT 10000)"\n'
        "        )).rowcount:\n"
        "            pass"
    ),
    on_statement=check,
)
