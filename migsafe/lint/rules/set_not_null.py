"""set-not-null: ``ALTER COLUMN ... SET NOT NULL`` on an existing column.

Why: PostgreSQL proves the column has no NULL by reading every row, under ACCESS EXCLUSIVE: no
reads, no writes until the scan is done.

Instead (PostgreSQL 12+): add ``CHECK (c IS NOT NULL) NOT VALID`` and commit it (brief lock;
an ``autocommit_block()``), ``VALIDATE`` it (SHARE UPDATE EXCLUSIVE: reads and writes go on),
then ``SET NOT NULL``: PostgreSQL sees the validated check and skips the scan; then drop the
check. (A VALIDATE in the same transaction as the ADD is check-not-valid's finding.)

Flagged: ``op.alter_column(..., nullable=False)`` / ``ALTER COLUMN ... SET NOT NULL`` on a
column that existed before the run, unless a validated ``CHECK (c IS NOT NULL)`` on that
column was added earlier in the run (or exists in the live database) and the server is
PostgreSQL 12+. Below 12 the check does not spare the scan, and the message says so.

Also flagged: ``SET NOT NULL`` on a column added earlier in the run to an existing table. The
column is new but the table is not: PostgreSQL still reads every row (and fails on the first
NULL). ``ADD COLUMN ... NOT NULL DEFAULT <constant>`` needs no scan on PostgreSQL 11+.

Not flagged: a table created earlier in the run; a column added earlier in the run already
``NOT NULL`` (``SET NOT NULL`` is then a no-op); ``ADD COLUMN ... NOT NULL``
(add-required-column's business).
"""

from __future__ import annotations

from collections.abc import Iterator

from pglast import ast

from migsafe.lint.context import Context, key
from migsafe.lint.model import Hit, Rule, Severity, Statement
from migsafe.lint.patterns import AT, CONSTR, added_earlier, alter_commands, constraints

_SCAN = "scans every row under ACCESS EXCLUSIVE (no reads or writes)"


def check(stmt: Statement, ctx: Context) -> Iterator[Hit]:
    for table, cmd in alter_commands(stmt.node):
        if cmd.subtype != AT.AT_SetNotNull or not cmd.name:
            continue
        column = cmd.name
        if ctx.is_new_table(table):
            continue
        where = f"{table}.{column}"
        if _has_check(ctx, table, column):
            if ctx.server_version >= 120000:
                continue
            yield Hit(
                f"SET NOT NULL on {where} {_SCAN}: before PostgreSQL 12 a validated "
                "CHECK (c IS NOT NULL) does not spare the scan",
                stmt.line,
                table,
            )
            continue
        added = added_earlier(ctx, table, column)
        if added is None:
            yield Hit(f"SET NOT NULL on {where} {_SCAN}", stmt.line, table)
        elif not _declared_not_null(added):
            yield Hit(
                f"SET NOT NULL on {where} (added in this run) still scans every row of {table} "
                "under ACCESS EXCLUSIVE: add it NOT NULL with a constant DEFAULT instead "
                "(no scan on PostgreSQL 11+)",
                stmt.line,
                table,
            )


def _declared_not_null(column: ast.ColumnDef) -> bool:
    # SET NOT NULL on a column already NOT NULL is a no-op: PostgreSQL does not scan.
    return bool(column.is_not_null) or any(
        c.contype in (CONSTR.CONSTR_NOTNULL, CONSTR.CONSTR_PRIMARY) for c in constraints(column)
    )


def _has_check(ctx: Context, table: str, column: str) -> bool:
    if (key(table), column.lower()) in ctx.not_null_checks:
        return True
    return ctx.live is not None and ctx.live.has_not_null_check(table, column)


RULE = Rule(
    id="set-not-null",
    severity=Severity.ERROR,
    summary="SET NOT NULL on an existing column without a validated CHECK (c IS NOT NULL)",
    why="proves the column has no NULL by scanning every row under ACCESS EXCLUSIVE",
    fix=(
        "prove it with a check first (PostgreSQL 12+ then skips the scan):\n"
        "    with op.get_context().autocommit_block():  # commit the ADD: its lock is brief\n"
        "        op.create_check_constraint('ck_t_c_nn', 't', 'c IS NOT NULL',\n"
        "                                   postgresql_not_valid=True)\n"
        "    op.execute('ALTER TABLE t VALIDATE CONSTRAINT ck_t_c_nn')\n"
        "    op.alter_column('t', 'c', nullable=False)\n"
        "    op.drop_constraint('ck_t_c_nn', 't', type_='check')"
    ),
    on_statement=check,
)
