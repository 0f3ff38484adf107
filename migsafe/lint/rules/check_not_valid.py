"""check-not-valid: ``ADD CHECK`` on an existing table without ``NOT VALID``.

Why: adding a CHECK constraint reads every row to prove it holds, under ACCESS EXCLUSIVE: no
reads, no writes until the scan is done.

Instead: add it ``NOT VALID`` (only new and updated rows are checked; the lock is brief), then
``VALIDATE CONSTRAINT`` in a later step, which scans under SHARE UPDATE EXCLUSIVE (reads and
writes go on).

Flagged: ``op.create_check_constraint`` / ``ALTER TABLE ... ADD [CONSTRAINT ...] CHECK`` and a
``CHECK`` written on ``ADD COLUMN`` (PostgreSQL checks it against every existing row too) on a
table not created earlier in the run.

Also flagged: ``VALIDATE CONSTRAINT`` in the same transaction as its ``ADD ... NOT VALID``
(the same revision, or consecutive transactional revisions, which migsafe's guard runs in one
transaction): locks are held to commit, so the scan still runs under the ADD's ACCESS
EXCLUSIVE. An ``autocommit_block()`` around the ADD commits it first.

Not flagged: ``NOT VALID`` (``postgresql_not_valid=True``), ``NOT ENFORCED`` (PostgreSQL 18),
checks in ``CREATE TABLE``, tables created earlier in the run.
"""

from __future__ import annotations

from collections.abc import Iterator

from migsafe.lint.context import Context
from migsafe.lint.model import Hit, Rule, Severity, Statement
from migsafe.lint.patterns import (
    CONSTR,
    added_column,
    added_constraint,
    alter_commands,
    constraints,
    validated_in_same_transaction,
)

_LOCK = "under ACCESS EXCLUSIVE (no reads or writes)"


def check(stmt: Statement, ctx: Context) -> Iterator[Hit]:
    for table, name in validated_in_same_transaction(stmt, ctx, CONSTR.CONSTR_CHECK):
        yield Hit(
            f"VALIDATE CONSTRAINT {name} runs in the same transaction as its ADD ... NOT VALID: "
            f"the scan of {table} runs {_LOCK} (the ADD's lock is held to commit)",
            stmt.line,
            table,
        )
    for table, cmd in alter_commands(stmt.node):
        if ctx.is_new_table(table):
            continue
        con = added_constraint(cmd, CONSTR.CONSTR_CHECK)
        if con is not None and not con.skip_validation:
            name = f" {con.conname}" if con.conname else ""
            yield Hit(
                f"ADD CHECK{name} on {table} without NOT VALID scans {table} {_LOCK}",
                stmt.line,
                table,
            )
        column = added_column(cmd)
        if column is not None and any(
            c.contype == CONSTR.CONSTR_CHECK and not c.skip_validation for c in constraints(column)
        ):
            yield Hit(
                f"ADD COLUMN {table}.{column.colname} with a CHECK scans {table} {_LOCK}",
                stmt.line,
                table,
            )


RULE = Rule(
    id="check-not-valid",
    severity=Severity.ERROR,
    summary="ADD CHECK on an existing table without NOT VALID",
    why="checks every row under ACCESS EXCLUSIVE: no reads or writes during the scan",
    fix=(
        "add it NOT VALID and commit, then validate:\n"
        "    with op.get_context().autocommit_block():\n"
        "        op.create_check_constraint('ck_t_c', 't', 'c > 0', postgresql_not_valid=True)\n"
        "    op.execute('ALTER TABLE t VALIDATE CONSTRAINT ck_t_c')  # SHARE UPDATE EXCLUSIVE"
    ),
    on_statement=check,
)
