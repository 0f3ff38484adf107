"""drop-column: ``DROP COLUMN`` of a column the running release may still use.

Why: during a deploy the release that is running when the migration commits is the old one, and
it still reads and writes the column: an ORM selects every mapped column and inserts them, so
each of its queries on the table fails (``column "c" does not exist``) until the new release is
out everywhere. The statement rewrites nothing (its ACCESS EXCLUSIVE lock is held until the
chain commits); the break is the cost.

Instead: expand/contract over two releases. Release 1 stops using the column (removed from the
model, or the code that needs it behind a flag tied to the revision with ``migsafe flags
require``); a NOT NULL column without a default first becomes nullable, or release 1's inserts
fail. Release 2, a later revision, drops it, with an ignore comment saying since when no
release uses it.

Detects: ``op.drop_column``, ``drop_column`` in ``batch_alter_table``, ``ALTER TABLE ... DROP
COLUMN`` in raw SQL.

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
    if not isinstance(node, ast.AlterTableStmt):
        return
    table = qualified(node.relation)
    if table is None or ctx.is_new_table(table):
        return
    for cmd in node.cmds or ():
        if (
            isinstance(cmd, ast.AlterTableCmd)
            and cmd.subtype == enums.AlterTableType.AT_DropColumn
            and cmd.name
            and not ctx.is_new_column(table, cmd.name)
        ):
            cascade = (
                " (CASCADE: and the views, indexes and constraints using it)"
                if cmd.behavior == enums.DropBehavior.DROP_CASCADE
                else ""
            )
            yield Hit(
                f"DROP COLUMN {table}.{cmd.name}{cascade}: the running release still selects "
                f"and inserts {cmd.name}, its queries on {table} fail until the new release is out",
                stmt.line,
                table=table,
            )


RULE = Rule(
    id="drop-column",
    severity=Severity.ERROR,
    summary="DROP COLUMN of a column the running release may still use",
    why=(
        "the running release still selects and inserts the column (ORMs name every mapped "
        "column): its queries fail until the new release is out"
    ),
    fix=(
        "expand/contract over two releases:\n"
        "    # release 1: the code stops using t.c (removed from the model; what needs it behind\n"
        "    # a flag tied to the schema: `migsafe flags require <flag> <revision>`); a NOT NULL\n"
        "    # column without a default becomes nullable in that release's revision:\n"
        '    op.alter_column("t", "c", existing_type=sa.String(), nullable=True)\n'
        "    # release 2, a later revision, once no running release maps t.c:\n"
        '    op.drop_column("t", "c")  # migsafe: ignore[drop-column] unused since release 1'
    ),
    on_statement=check,
    size_matters=False,
)
