"""rename-column: ``RENAME COLUMN`` of a column the running release may still use.

Why: the release running when the migration commits still names the old column in every query on
the table (an ORM selects and inserts every mapped column): each of them fails (``column "old"
does not exist``) until the new release is out everywhere, and the new release fails the same
way wherever it starts before the migration. The statement rewrites nothing (its ACCESS
EXCLUSIVE lock is held until the chain commits); the break is the cost.

Instead: add the new column, write both and backfill it, switch reads to it behind a flag tied
to the revision (``migsafe flags require``), then drop the old column in a later release.

Detects: ``op.alter_column(..., new_column_name=...)`` (also in ``batch_alter_table``),
``ALTER TABLE ... RENAME COLUMN`` in raw SQL.

Not flagged: a column added, or a table created, earlier in the same run.
"""

from __future__ import annotations

from collections.abc import Iterator

from pglast import ast, enums

from migsafe.lint.context import Context
from migsafe.lint.model import Hit, Rule, Severity, Statement
from migsafe.lint.sqltext import qualified


def check(stmt: Statement, ctx: Context) -> Iterator[Hit]:
    node = stmt.node
    if not isinstance(node, ast.RenameStmt) or node.renameType != enums.ObjectType.OBJECT_COLUMN:
        return
    table = qualified(node.relation)
    if table is None or not node.subname or ctx.is_new_column(table, node.subname):
        return
    yield Hit(
        f"RENAME COLUMN {table}.{node.subname} TO {node.newname}: the running release still "
        f"uses {node.subname}, its queries on {table} fail until the new release is out",
        stmt.line,
        table=table,
    )


RULE = Rule(
    id="rename-column",
    severity=Severity.ERROR,
    summary="RENAME COLUMN of a column the running release may still use",
    why=(
        "the running release still names the old column: its queries on the table fail until "
        "the new release is out (and the new one fails before the migration)"
    ),
    fix=(
        "add, copy, switch, drop, over releases:\n"
        "    # revision A (release 1): the new column; the code writes both\n"
        '    op.add_column("t", sa.Column("new", sa.String(), nullable=True))\n'
        "    # then backfill t.new from t.old in batches (autocommit_block), and switch reads\n"
        "    # to t.new behind a flag tied to A: `migsafe flags require read_new <A>`\n"
        "    # revision B (a later release, once nothing reads t.old):\n"
        '    op.drop_column("t", "old")  # migsafe: ignore[drop-column] unused since release 2'
    ),
    on_statement=check,
    size_matters=False,
)
