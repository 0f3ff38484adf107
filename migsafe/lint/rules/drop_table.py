"""drop-table: ``DROP TABLE`` of a table the running release may still use.

Why: the release running when the migration commits may still query the table: each of those
queries fails (``relation "t" does not exist``) until the new release is out everywhere, and
the rows are gone with no way back but a backup. ``DROP TABLE`` takes ACCESS EXCLUSIVE on the
table (and on the tables its foreign keys point to), held until the commit; ``CASCADE`` drops
the views and foreign keys that depend on it too.

Instead: expand/contract. Release 1 stops using the table (the code that needs it behind a flag
tied to the revision with ``migsafe flags require``); release 2, a later revision, drops it,
with an ignore comment saying since when no release uses it.

Not flagged: a table created earlier in the same run; ``batch_alter_table``'s recreate
(``CREATE TABLE _alembic_tmp_t``, copy, ``DROP TABLE t``, then at once ``ALTER TABLE
_alembic_tmp_t RENAME TO t``): ``t`` is back under its name at the end, and
table-rewrite-command reports the rewrite. A hand-made swap (copy to ``t_new``, drop ``t``,
rename) is flagged: rows written to ``t`` between the copy and the drop are lost.
"""

from __future__ import annotations

from collections.abc import Iterator

from pglast import ast, enums

from migsafe.lint.context import Context, key
from migsafe.lint.model import Hit, Rule, Severity, Statement
from migsafe.lint.patterns import recreated_table
from migsafe.lint.sqltext import strings


def check(stmt: Statement, ctx: Context) -> Iterator[Hit]:
    node = stmt.node
    if not isinstance(node, ast.DropStmt) or node.removeType != enums.ObjectType.OBJECT_TABLE:
        return
    cascade = node.behavior == enums.DropBehavior.DROP_CASCADE
    recreated = recreated_table(stmt, ctx)  # the DROP of batch_alter_table's recreate
    for parts in node.objects or ():
        table = ".".join(strings(parts))
        if not table or ctx.is_new_table(table) or key(table) == recreated:
            continue
        also = " (CASCADE: and the views and foreign keys that depend on it)" if cascade else ""
        yield Hit(
            f"DROP TABLE {table}{also}: the running release still queries {table} and fails "
            "until the new release is out, and the rows are gone (ACCESS EXCLUSIVE)",
            stmt.line,
            table=table,
        )


RULE = Rule(
    id="drop-table",
    severity=Severity.ERROR,
    summary="DROP TABLE of a table the running release may still use",
    why=(
        "the running release may still query the table: its queries fail until the new "
        "release is out, and the rows are gone"
    ),
    fix=(
        "expand/contract over two releases:\n"
        "    # release 1: no code uses t any more (what needs it behind a flag tied to the\n"
        "    # schema: `migsafe flags require <flag> <revision>`)\n"
        "    # release 2, a later revision, once no running release uses t:\n"
        '    op.drop_table("t")  # migsafe: ignore[drop-table] unused since release 1'
    ),
    on_statement=check,
    size_matters=False,
)
