"""foreign-key-not-valid: ``ADD FOREIGN KEY`` on an existing table without ``NOT VALID``.

Why: adding a foreign key checks every existing row against the referenced table while
holding SHARE ROW EXCLUSIVE on both tables: no INSERT, UPDATE or DELETE on either until the
scan is done.

Instead: add it ``NOT VALID`` (only new rows are checked; a brief lock), then ``VALIDATE
CONSTRAINT`` in a later step: validation takes SHARE UPDATE EXCLUSIVE on the table (writes go
on) and ROW SHARE on the referenced table.

Flagged: ``op.create_foreign_key`` / ``ALTER TABLE ... ADD [CONSTRAINT ...] FOREIGN KEY`` on a
table not created earlier in the run, including one on a column just added (PostgreSQL does
not know the column is all NULL: ``ADD CONSTRAINT`` always runs the validation query, which
reads the whole table); ``ADD COLUMN ... REFERENCES`` with a ``DEFAULT`` (PostgreSQL validates
then: transformAlterTableStmt).

Also flagged: ``VALIDATE CONSTRAINT`` in the same transaction as its ``ADD ... NOT VALID``
(the same revision, or consecutive transactional revisions, which migsafe's guard runs in one
transaction): locks are held to commit, so the scan still runs under the ADD's SHARE ROW
EXCLUSIVE. An ``autocommit_block()`` around the ADD commits it first.

Not flagged: ``NOT VALID`` (and ``NOT ENFORCED``, PostgreSQL 18); ``ADD COLUMN ... REFERENCES``
without a DEFAULT in the same ``ALTER TABLE`` subcommand (the column is all NULL and PostgreSQL
skips validation); foreign keys in ``CREATE TABLE``; tables created earlier in the run.
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
from migsafe.lint.sqltext import qualified, strings

_LOCK = "SHARE ROW EXCLUSIVE on both tables (no writes)"


def check(stmt: Statement, ctx: Context) -> Iterator[Hit]:
    for table, name in validated_in_same_transaction(stmt, ctx, CONSTR.CONSTR_FOREIGN):
        yield Hit(
            f"VALIDATE CONSTRAINT {name} runs in the same transaction as its ADD ... NOT VALID: "
            f"the scan of {table} runs under {_LOCK} (the ADD's lock is held to commit)",
            stmt.line,
            table,
        )
    commands = list(alter_commands(stmt.node))
    # PostgreSQL validates inline REFERENCES too when the same ALTER adds a table-level FK.
    has_table_fk = any(added_constraint(cmd, CONSTR.CONSTR_FOREIGN) for _, cmd in commands)
    for table, cmd in commands:
        if ctx.is_new_table(table):
            continue
        fk = added_constraint(cmd, CONSTR.CONSTR_FOREIGN)
        if fk is not None and not fk.skip_validation:
            name = f" {fk.conname}" if fk.conname else ""
            columns = strings(fk.fk_attrs)
            fresh = bool(columns) and all(ctx.is_new_column(table, c) for c in columns)
            note = (
                " (even on a column just added: PostgreSQL still reads every row)" if fresh else ""
            )
            yield Hit(
                f"ADD FOREIGN KEY{name} on {table} -> {qualified(fk.pktable)} without NOT VALID "
                f"scans {table} under {_LOCK}{note}",
                stmt.line,
                table,
            )
        column = added_column(cmd)
        if column is None:
            continue
        inline = [c for c in constraints(column) if c.contype == CONSTR.CONSTR_FOREIGN]
        has_default = any(c.contype == CONSTR.CONSTR_DEFAULT for c in constraints(column))
        if inline and (has_default or has_table_fk):
            reason = "with a DEFAULT" if has_default else "next to an ADD FOREIGN KEY"
            yield Hit(
                f"ADD COLUMN {table}.{column.colname} REFERENCES {qualified(inline[0].pktable)} "
                f"{reason} is validated: scans {table} under {_LOCK}",
                stmt.line,
                table,
            )


RULE = Rule(
    id="foreign-key-not-valid",
    severity=Severity.ERROR,
    summary="ADD FOREIGN KEY on an existing table without NOT VALID",
    why="validates every row under SHARE ROW EXCLUSIVE on both tables: writes to both wait",
    fix=(
        "add it NOT VALID and commit, then validate:\n"
        "    with op.get_context().autocommit_block():\n"
        "        op.create_foreign_key('fk_t_u', 't', 'u', ['u_id'], ['id'],\n"
        "                              postgresql_not_valid=True)\n"
        "    op.execute('ALTER TABLE t VALIDATE CONSTRAINT fk_t_u')  # SHARE UPDATE EXCLUSIVE"
    ),
    on_statement=check,
)
