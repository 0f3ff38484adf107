"""whole-table-update: ``UPDATE`` without ``WHERE`` on an existing table.

Why: every row is rewritten in one statement, and under migsafe the whole chain is one
transaction: every row stays locked against other writers until the commit, each row leaves a
dead version behind (the table's size doubles until vacuum), all of it goes through the WAL at
once and replicas fall behind. The statement may also run into the guard's statement_timeout.

Instead: backfill in bounded batches that commit one by one, inside
``op.get_context().autocommit_block()`` (or as a job outside the migration), with a WHERE that
skips rows already done, so that a re-run resumes.

Detects: ``UPDATE t SET ...`` with no WHERE (or ``WHERE TRUE``, ``WHERE 1 = 1``), whether sent by
``op.execute``, the connection (``op.get_bind().execute``), SQLAlchemy Core
(``sa.update(t).values(...)``) or inside a data-modifying ``WITH``; ``WHERE c IS NULL`` right
after ``c`` was added without a default (every row is NULL there);
``session.query(Model).update(...)`` without a filter (read from the source: ORM code cannot
render offline); a batched backfill (``for lo in range(...)`` or ``while``, each round an
UPDATE) outside ``autocommit_block()``: its batches commit together, so they hold what one
statement would.

Not flagged: a table created earlier in the same run (nobody else sees it yet); an UPDATE with
any other WHERE (it may still touch many rows, but the linter cannot tell how many); a batched
backfill inside ``autocommit_block()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pglast import ast, enums

from migsafe.lint.context import Context, key
from migsafe.lint.model import Hit, RevisionInput, Rule, Severity, Statement, Via
from migsafe.lint.rules._data import (
    dml,
    node_of,
    unfiltered,
    whole_table_hits,
)
from migsafe.lint.sqltext import qualified, strings


def check(stmt: Statement, ctx: Context) -> Iterator[Hit]:
    node = node_of(stmt)
    if node is None:
        return
    for update in dml(node, ast.UpdateStmt):
        table = qualified(update.relation)
        if table is None or ctx.is_new_table(table):
            continue
        if unfiltered(update.whereClause):
            where = "without WHERE" if update.whereClause is None else "with an always-true WHERE"
        else:
            column = null_in_new_column(update.whereClause, table, ctx)
            if column is None:
                continue
            where = f"WHERE {column} IS NULL (every row: {column} was just added, no default)"
        inside = " in a WITH" if update is not node else ""
        via = " through the connection" if stmt.via == Via.CONNECTION else ""
        yield Hit(
            f"UPDATE {table} {where}{inside}{via} rewrites every row of {table} "
            "in the migration's transaction: every row locked against other writes until commit, "
            "a dead copy of each",
            stmt.line,
            table=table,
        )


def check_revision(rev: RevisionInput, ctx: Context) -> Iterator[Hit]:
    yield from whole_table_hits(
        rev, ctx, "update", "rewrites", "every row locked against other writes until commit"
    )


def null_in_new_column(where: Any, table: str, ctx: Context) -> str | None:
    """``c`` of ``WHERE c IS NULL`` when ``c`` was added to ``table`` earlier in the run with
    no default: every row still has NULL there, so the WHERE selects them all."""
    if not (
        isinstance(where, ast.NullTest)
        and where.nulltesttype == enums.NullTestType.IS_NULL
        and isinstance(where.arg, ast.ColumnRef)
    ):
        return None
    parts = strings(where.arg.fields)
    column = parts[-1].lower() if parts else None
    if column is None or (key(table), column) not in ctx.created_columns:
        return None
    for earlier in ctx.statements[: ctx.position]:
        node = earlier.node
        if not isinstance(node, ast.AlterTableStmt) or key(qualified(node.relation) or "") != key(
            table
        ):
            continue
        for cmd in node.cmds or ():
            definition = getattr(cmd, "def_", None)
            if (
                isinstance(definition, ast.ColumnDef)
                and (definition.colname or "").lower() == column
                and _has_default(definition)
            ):
                return None
    return column


def _has_default(column: ast.ColumnDef) -> bool:
    return any(
        isinstance(c, ast.Constraint) and c.contype == enums.ConstrType.CONSTR_DEFAULT
        for c in column.constraints or ()
    )


RULE = Rule(
    id="whole-table-update",
    severity=Severity.WARNING,
    summary="UPDATE without WHERE (or ORM query.update() without a filter) on an existing table",
    why=(
        "rewrites every row in one transaction: row locks on all of them until commit, "
        "a dead copy of each (bloat), a burst of WAL, replicas lag"
    ),
    fix=(
        "backfill in bounded batches that commit one by one (or in a job after the release):\n"
        "    conn = op.get_bind()\n"
        "    with op.get_context().autocommit_block():\n"
        '        top = conn.execute(sa.text("SELECT max(id) FROM t")).scalar() or 0\n'
        "        for lo in range(0, top + 1, 10_000):\n"
        "            conn.execute(\n"
        '                sa.text("UPDATE t SET c = :v WHERE id >= :lo AND id < :hi"\n'
        '                        " AND c IS DISTINCT FROM :v"),\n'
        '                {"v": "x", "lo": lo, "hi": lo + 10_000},\n'
        "            )"
    ),
    on_statement=check,
    on_revision=check_revision,
)
