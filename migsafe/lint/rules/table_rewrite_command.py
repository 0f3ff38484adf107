"""table-rewrite-command: a command whose whole purpose is to rewrite an existing table.

Why: ``VACUUM FULL``, ``CLUSTER``, ``ALTER TABLE ... SET LOGGED / SET UNLOGGED`` and
``REFRESH MATERIALIZED VIEW`` (without ``CONCURRENTLY``) write a new copy of the relation
while holding ACCESS EXCLUSIVE: nothing reads or writes it until they finish. So does
``op.batch_alter_table(..., recreate="always")``: Alembic's "move and copy" creates
``_alembic_tmp_<name>``, copies every row into it, drops ``<name>`` and renames the copy.

Instead: pg_repack / pg_squeeze for bloat and clustering (online); ``REFRESH MATERIALIZED VIEW
CONCURRENTLY`` (needs a unique index on the view); plain ``op.alter_column`` /
``op.add_column`` instead of a batch recreate on PostgreSQL (batch mode is for SQLite).

Flagged: those commands on a relation not created earlier in the run; ``VACUUM FULL`` and
``CLUSTER`` without a table (the whole database); the batch recreate of an existing table,
reported once at its ``CREATE TABLE _alembic_tmp_<name>`` (migsafe.lint.patterns).

Not flagged: ``VACUUM`` without ``FULL`` (or ``FULL false``), ``REFRESH ... CONCURRENTLY``,
``REFRESH ... WITH NO DATA`` (it empties the view, no rewrite to wait for), relations created
earlier in the run, a batch that only alters (PostgreSQL's default ``recreate="auto"``).
"""

from __future__ import annotations

from collections.abc import Iterator

from pglast import ast

from migsafe.lint.context import Context
from migsafe.lint.model import Hit, Rule, Severity, Statement
from migsafe.lint.patterns import AT, alter_commands, batch_recreate
from migsafe.lint.sqltext import qualified

_LOCK = "under ACCESS EXCLUSIVE (no reads or writes)"


def check(stmt: Statement, ctx: Context) -> Iterator[Hit]:
    node = stmt.node
    if isinstance(node, ast.VacuumStmt):
        yield from _vacuum(node, stmt, ctx)
    elif isinstance(node, ast.ClusterStmt):
        table = qualified(node.relation)
        if not ctx.is_new_table(table):
            yield Hit(
                f"CLUSTER {table or '(every clustered table)'} rewrites it {_LOCK}",
                stmt.line,
                table,
            )
    elif isinstance(node, ast.RefreshMatViewStmt):
        view = qualified(node.relation)
        if not node.concurrent and not node.skipData and not ctx.is_new_table(view):
            yield Hit(
                f"REFRESH MATERIALIZED VIEW {view} without CONCURRENTLY recomputes it {_LOCK}",
                stmt.line,
                view,
            )
    elif isinstance(node, ast.CreateStmt):
        found = batch_recreate(ctx)
        if found is not None and found.create == ctx.position and not ctx.is_new_table(found.table):
            yield Hit(
                f"batch_alter_table recreates {found.table}: copies every row into "
                f"_alembic_tmp_{found.table}, drops and renames {_LOCK}",
                stmt.line,
                found.table,
            )
    else:
        for table, cmd in alter_commands(node):
            if cmd.subtype in (AT.AT_SetLogged, AT.AT_SetUnLogged) and not ctx.is_new_table(table):
                what = "SET LOGGED" if cmd.subtype == AT.AT_SetLogged else "SET UNLOGGED"
                yield Hit(f"ALTER TABLE {table} {what} rewrites {table} {_LOCK}", stmt.line, table)


def _vacuum(node: ast.VacuumStmt, stmt: Statement, ctx: Context) -> Iterator[Hit]:
    if not node.is_vacuumcmd or not _full(node):
        return
    tables = [
        qualified(rel.relation)
        for rel in node.rels or ()
        if isinstance(rel, ast.VacuumRelation) and rel.relation is not None
    ]
    if not tables:
        yield Hit(f"VACUUM FULL of the whole database rewrites every table {_LOCK}", stmt.line)
    for table in tables:
        if table is not None and not ctx.is_new_table(table):
            yield Hit(f"VACUUM FULL {table} rewrites it {_LOCK}", stmt.line, table)


def _full(node: ast.VacuumStmt) -> bool:
    for option in node.options or ():
        if isinstance(option, ast.DefElem) and option.defname == "full":
            arg = option.arg
            value = getattr(arg, "sval", None) or getattr(arg, "ival", None)
            return arg is None or str(value).lower() not in ("false", "off", "0")
    return False


RULE = Rule(
    id="table-rewrite-command",
    severity=Severity.ERROR,
    summary="VACUUM FULL, CLUSTER, SET LOGGED/UNLOGGED, REFRESH MATERIALIZED VIEW, batch recreate",
    why="writes a new copy of the whole relation under ACCESS EXCLUSIVE (no reads or writes)",
    fix=(
        "use the online form:\n"
        "    with op.get_context().autocommit_block():\n"
        "        op.execute('REFRESH MATERIALIZED VIEW CONCURRENTLY mv')  # needs a unique index\n"
        "pg_repack instead of VACUUM FULL / CLUSTER; on PostgreSQL use op.add_column /\n"
        "op.alter_column instead of batch_alter_table(recreate='always')"
    ),
    on_statement=check,
)
