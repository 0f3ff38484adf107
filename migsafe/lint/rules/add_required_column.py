"""add-required-column: ``ADD COLUMN ... NOT NULL`` without a ``DEFAULT`` on an existing table.

Why: every existing row would get NULL in the new column, so PostgreSQL rejects the ALTER as
soon as the table has one row: the migration fails in production after passing on an empty
development database.

Instead: add it nullable, backfill, then make it NOT NULL safely (see set-not-null); or give
it a constant ``server_default`` (PostgreSQL 11+ stores it without a rewrite).

Flagged: ``op.add_column(sa.Column(..., nullable=False))`` without ``server_default`` /
``ADD COLUMN ... NOT NULL`` (or ``PRIMARY KEY``) without ``DEFAULT`` on a table not created
earlier in the run. With a live database that counts 0 rows in the table, it is only info.

Not flagged: a ``DEFAULT`` (volatile-default judges its kind), identity and generated
columns (they have a value for every row), ``serial`` types (a ``nextval`` default), tables
created earlier in the run.
"""

from __future__ import annotations

from collections.abc import Iterator

from pglast import ast

from migsafe.lint.context import Context
from migsafe.lint.model import Hit, Rule, Severity, Statement
from migsafe.lint.patterns import CONSTR, added_column, alter_commands, constraints
from migsafe.lint.sqltext import strings

_FILLED = {CONSTR.CONSTR_DEFAULT, CONSTR.CONSTR_IDENTITY, CONSTR.CONSTR_GENERATED}
_REQUIRED = {CONSTR.CONSTR_NOTNULL, CONSTR.CONSTR_PRIMARY}
_SERIALS = {"serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"}


def check(stmt: Statement, ctx: Context) -> Iterator[Hit]:
    for table, cmd in alter_commands(stmt.node):
        column = added_column(cmd)
        if column is None or ctx.is_new_table(table) or not _required(column):
            continue
        stats = ctx.stats(table)
        empty = stats is not None and stats.rows == 0
        yield Hit(
            f"ADD COLUMN {table}.{column.colname} NOT NULL without a DEFAULT fails if {table} "
            "has any row" + (" (it has none now)" if empty else ""),
            stmt.line,
            table,
            Severity.INFO if empty else None,
        )


def _required(column: ast.ColumnDef) -> bool:
    kinds = {c.contype for c in constraints(column)}
    if kinds & _FILLED or not (kinds & _REQUIRED or column.is_not_null):
        return False
    names = strings(column.typeName.names) if column.typeName else []
    return not (names and names[-1].lower() in _SERIALS)


RULE = Rule(
    id="add-required-column",
    severity=Severity.ERROR,
    summary="ADD COLUMN NOT NULL without DEFAULT on an existing table",
    why="fails as soon as the table has a row: existing rows would be NULL in a NOT NULL column",
    fix=(
        "add it nullable, backfill, then enforce:\n"
        "    op.add_column('t', sa.Column('c', sa.Integer(), nullable=True))\n"
        "    # backfill in batches, then SET NOT NULL the safe way (see set-not-null)\n"
        "or give it a constant default (no rewrite on PostgreSQL 11+):\n"
        "    op.add_column('t', sa.Column('c', sa.Integer(), nullable=False, server_default='0'))"
    ),
    on_statement=check,
)
