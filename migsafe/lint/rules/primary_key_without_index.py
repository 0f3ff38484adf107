"""primary-key-without-index: ``ADD PRIMARY KEY`` on an existing table that builds its index.

Why: ``ALTER TABLE ... ADD PRIMARY KEY`` builds the unique index inside the ALTER, under
ACCESS EXCLUSIVE: no reads, no writes for the whole build (and, for nullable columns, a scan
to set NOT NULL).

Instead: make the columns NOT NULL safely first (see set-not-null), build the index with
``CREATE UNIQUE INDEX CONCURRENTLY``, then ``ADD CONSTRAINT ... PRIMARY KEY USING INDEX``:
ACCESS EXCLUSIVE only for a catalog update.

Flagged: ``op.create_primary_key`` / ``ADD [CONSTRAINT ...] PRIMARY KEY (...)`` and an inline
``PRIMARY KEY`` on ``ADD COLUMN`` on a table not created earlier in the run.

Not flagged: ``ADD CONSTRAINT ... PRIMARY KEY USING INDEX`` (its NOT NULL scan, if the columns
are nullable, is set-not-null's business); primary keys in ``CREATE TABLE``; tables created
earlier in the run.
"""

from __future__ import annotations

from collections.abc import Iterator

from migsafe.lint.context import Context
from migsafe.lint.model import Hit, Rule, Severity, Statement
from migsafe.lint.patterns import CONSTR, index_constraints


def check(stmt: Statement, ctx: Context) -> Iterator[Hit]:
    for table, name, how in index_constraints(stmt, ctx, CONSTR.CONSTR_PRIMARY):
        label = f" {name}" if name else ""
        yield Hit(
            f"{how} PRIMARY KEY{label} on {table} builds its index under ACCESS EXCLUSIVE "
            "(no reads or writes)",
            stmt.line,
            table,
        )


RULE = Rule(
    id="primary-key-without-index",
    severity=Severity.ERROR,
    summary="ADD PRIMARY KEY on an existing table not USING INDEX",
    why="builds the primary key's index under ACCESS EXCLUSIVE: no reads or writes meanwhile",
    fix=(
        "build the index concurrently, then attach it:\n"
        "    with op.get_context().autocommit_block():\n"
        "        op.create_index('t_pkey', 't', ['id'], unique=True,\n"
        "                        postgresql_concurrently=True)\n"
        "    op.execute('ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_pkey')"
    ),
    on_statement=check,
)
