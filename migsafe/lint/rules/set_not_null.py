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

Not flagged: a column or table created earlier in the run; ``ADD COLUMN ... NOT NULL``
(add-required-column's business).
"""

from __future__ import annotations

from collections.abc import Iterator

from migsafe.lint.context import Context, key
from migsafe.lint.model import Hit, Rule, Severity, Statement
from migsafe.lint.patterns import AT, alter_commands

_SCAN = "scans every row under ACCESS EXCLUSIVE (no reads or writes)"


def check(stmt: Statement, ctx: Context) -> Iterator[Hit]:
    for table, cmd in alter_commands(stmt.node):
        if cmd.subtype != AT.AT_SetNotNull or not cmd.name:
            continue
        column = cmd.name
        if ctx.is_new_column(table, column):
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
        yield Hit(f"SET NOT NULL on {where} {_SCAN}", stmt.line, table)


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
