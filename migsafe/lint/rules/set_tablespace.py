"""set-tablespace: ``SET TABLESPACE`` of an existing table, index or materialized view.

Why: moving a relation to another tablespace copies every data file under ACCESS EXCLUSIVE (a
table also moves its TOAST data): no reads, no writes until the copy is done.
``ALTER TABLE ALL IN TABLESPACE ... SET TABLESPACE`` does it to every table in the tablespace.

Instead: do it in a maintenance window, or rebuild instead of moving: ``CREATE INDEX
CONCURRENTLY ... TABLESPACE new`` then drop the old index; for a table, pg_repack
(``--tablespace``) copies it without the long lock.

Flagged: ``ALTER TABLE / INDEX / MATERIALIZED VIEW ... SET TABLESPACE`` of an object not
created earlier in the run; every ``ALTER ... ALL IN TABLESPACE``.

Not flagged: objects created earlier in the run (empty), ``CREATE ... TABLESPACE`` of a new
object. (A partitioned table's own ``SET TABLESPACE`` moves no data, but offline the linter
cannot tell one from a plain table, so it is flagged.)
"""

from __future__ import annotations

from collections.abc import Iterator

from pglast import ast, enums

from migsafe.lint.context import Context, key
from migsafe.lint.model import Hit, Rule, Severity, Statement
from migsafe.lint.patterns import AT
from migsafe.lint.sqltext import qualified

_KINDS = {
    enums.ObjectType.OBJECT_TABLE: "TABLE",
    enums.ObjectType.OBJECT_INDEX: "INDEX",
    enums.ObjectType.OBJECT_MATVIEW: "MATERIALIZED VIEW",
}


def check(stmt: Statement, ctx: Context) -> Iterator[Hit]:
    node = stmt.node
    if isinstance(node, ast.AlterTableMoveAllStmt):
        kind = _KINDS.get(node.objtype, "TABLE") if node.objtype is not None else "TABLE"
        yield Hit(
            f"ALTER {kind} ALL IN TABLESPACE "
            f"{node.orig_tablespacename} moves every relation in it, each under ACCESS EXCLUSIVE",
            stmt.line,
        )
        return
    if not isinstance(node, ast.AlterTableStmt) or node.objtype not in _KINDS:
        return
    name = qualified(node.relation)
    if name is None:
        return
    for cmd in node.cmds or ():
        if not isinstance(cmd, ast.AlterTableCmd) or cmd.subtype != AT.AT_SetTableSpace:
            continue
        if node.objtype == enums.ObjectType.OBJECT_INDEX:
            if key(name) in ctx.created_indexes:
                continue
            table = None  # an index's size is not its table's; live sizes are per table
        else:
            if ctx.is_new_table(name):
                continue
            table = name
        yield Hit(
            f"ALTER {_KINDS[node.objtype]} {name} SET TABLESPACE {cmd.name} copies all of its "
            "data under ACCESS EXCLUSIVE",
            stmt.line,
            table,
        )


RULE = Rule(
    id="set-tablespace",
    severity=Severity.ERROR,
    summary="SET TABLESPACE of an existing table, index or materialized view",
    why="copies every data file of the relation under ACCESS EXCLUSIVE (no reads or writes)",
    fix=(
        "rebuild instead of moving, for an index:\n"
        "    with op.get_context().autocommit_block():\n"
        "        op.create_index('ix_t_c_new', 't', ['c'], postgresql_concurrently=True,\n"
        "                        postgresql_tablespace='fast')\n"
        "        op.drop_index('ix_t_c', table_name='t', postgresql_concurrently=True)\n"
        "for a table: pg_repack --tablespace outside the migration, or a maintenance window"
    ),
    on_statement=check,
)
