"""unique-without-index: ``ADD UNIQUE`` on an existing table that builds its own index.

Why: ``ALTER TABLE ... ADD CONSTRAINT ... UNIQUE`` builds the unique index inside the ALTER,
under ACCESS EXCLUSIVE: no reads, no writes for the whole build.

Instead: build the index first with ``CREATE UNIQUE INDEX CONCURRENTLY`` (writes go on), then
attach it: ``ADD CONSTRAINT ... UNIQUE USING INDEX`` takes ACCESS EXCLUSIVE only for a catalog
update.

Flagged: ``op.create_unique_constraint`` / ``ADD [CONSTRAINT ...] UNIQUE (...)`` and an inline
``UNIQUE`` on ``ADD COLUMN`` on a table not created earlier in the run.

Not flagged: ``ADD CONSTRAINT ... UNIQUE USING INDEX``; ``CREATE UNIQUE INDEX [CONCURRENTLY]``
(index-not-concurrent judges that one); constraints in ``CREATE TABLE``; tables created earlier
in the run.
"""

from __future__ import annotations

from collections.abc import Iterator

from migsafe.lint.context import Context
from migsafe.lint.model import Hit, Rule, Severity, Statement
from migsafe.lint.patterns import CONSTR, index_constraints


def check(stmt: Statement, ctx: Context) -> Iterator[Hit]:
    for table, name, how in index_constraints(stmt, ctx, CONSTR.CONSTR_UNIQUE):
        label = f" {name}" if name else ""
        yield Hit(
            f"{how} UNIQUE{label} on {table} builds its index under ACCESS EXCLUSIVE "
            "(no reads or writes)",
            stmt.line,
            table,
        )


RULE = Rule(
    id="unique-without-index",
    severity=Severity.ERROR,
    summary="ADD UNIQUE constraint on an existing table not USING INDEX",
    why="builds the unique index under ACCESS EXCLUSIVE: no reads or writes during the build",
    fix=(
        "build the index concurrently, then attach it:\n"
        "    with op.get_context().autocommit_block():\n"
        "        op.create_index('uq_t_c', 't', ['c'], unique=True, postgresql_concurrently=True)\n"
        "    op.execute('ALTER TABLE t ADD CONSTRAINT uq_t_c UNIQUE USING INDEX uq_t_c')"
    ),
    on_statement=check,
)
