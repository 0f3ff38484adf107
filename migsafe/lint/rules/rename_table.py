"""rename-table: ``ALTER TABLE ... RENAME TO`` of a table the running release may still use.

Why: the release running when the migration commits still names the old table in its queries:
each of them fails (``relation "old" does not exist``) until the new release is out everywhere,
and the new release fails the same way wherever it starts before the migration. The statement
rewrites nothing (its ACCESS EXCLUSIVE lock is held until the chain commits); the break is the
cost.

Instead: rename it and leave a view under the old name in the same revision (a simple view
over one table is updatable, so the old release keeps reading and writing through it); drop
the view in a later release. Or create the new table, write both, backfill, switch, drop.

Detects: ``op.rename_table``, ``ALTER TABLE ... RENAME TO`` in raw SQL.

Not flagged: a rename followed, later in the run, by a view under the old name; a table
created earlier in the same run, including ``batch_alter_table``'s
recreate (``ALTER TABLE _alembic_tmp_t RENAME TO t`` renames the copy it just created; the
rewrite is table-rewrite-command's finding).
"""

from __future__ import annotations

from collections.abc import Iterator

from pglast import ast, enums

from migsafe.lint.context import Context, key
from migsafe.lint.model import Hit, Rule, Severity, Statement
from migsafe.lint.sqltext import qualified


def check(stmt: Statement, ctx: Context) -> Iterator[Hit]:
    node = stmt.node
    if not isinstance(node, ast.RenameStmt) or node.renameType != enums.ObjectType.OBJECT_TABLE:
        return
    table = qualified(node.relation)
    # The copy of batch_alter_table's recreate (_alembic_tmp_t) was created in the run, so
    # is_new_table covers its rename back to t.
    if table is None or ctx.is_new_table(table) or _view_keeps(table, ctx):
        return
    yield Hit(
        f"RENAME TABLE {table} TO {node.newname}: the running release still queries {table} "
        "and fails until the new release is out",
        stmt.line,
        table=table,
    )


def _view_keeps(table: str, ctx: Context) -> bool:
    """A view under the old name, created later in the run, keeps the old release working."""
    return any(
        isinstance(later.node, ast.ViewStmt) and key(qualified(later.node.view) or "") == key(table)
        for later in ctx.following()
    )


RULE = Rule(
    id="rename-table",
    severity=Severity.ERROR,
    summary="ALTER TABLE ... RENAME TO of a table the running release may still use",
    why=(
        "the running release still names the old table: its queries fail until the new "
        "release is out (and the new one fails before the migration)"
    ),
    fix=(
        "rename, and keep the old name as an updatable view until no release uses it:\n"
        '    op.rename_table("old", "new")\n'
        '    op.execute("CREATE VIEW old AS SELECT * FROM new")\n'
        "    # a later release: DROP VIEW old"
    ),
    on_statement=check,
    size_matters=False,
)
