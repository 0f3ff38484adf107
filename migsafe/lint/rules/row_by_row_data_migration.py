"""row-by-row-data-migration: a Python loop over rows read from the database that writes per row.

Why: one round trip per row (a million rows, a million statements), all inside the migration's
transaction (under migsafe the whole chain is one): every row written stays locked until the
commit, the deploy waits for the loop, and the guard's statement or lock timeouts do not bound
it (each statement is short; the transaction is not). ORM loops (``for u in
session.query(User): u.x = ...``) are worse: every object is loaded into memory first.

Instead: one set-based statement (``UPDATE t SET c = <expression> WHERE ...``), in bounded
batches that commit one by one inside ``op.get_context().autocommit_block()`` when the table is
big; or a backfill job outside the migration.

Detects: ``for row in conn.execute(...)`` / ``session.query(...)`` / ``.scalars()`` ... whose
body executes a statement, adds, merges, deletes or assigns an attribute of the row (read from
the source: offline the loop sees no rows).

Not flagged: loops over literal values (``for name in ["a", "b"]: op.add_column(...)``), over
``range()``, or over rows the body only reads. A loop over a table created in the run is
flagged all the same: what it writes may be an existing table, and the run may have filled it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pglast import ast

from migsafe.lint.context import Context
from migsafe.lint.model import Hit, PyFact, PyKind, RevisionInput, Rule, Severity
from migsafe.lint.rules._data import model_table
from migsafe.lint.sqltext import parse_one, qualified, walk


def check(rev: RevisionInput, ctx: Context) -> Iterator[Hit]:
    for fact in rev.python:
        if fact.kind != PyKind.ROW_LOOP:
            continue
        table = _read_table(rev, fact)
        source = f" {fact.detail}" if fact.detail else ""
        yield Hit(
            f"loop over the rows of{source} writes one row per round trip, every row locked in "
            "the migration's transaction until commit: use one set-based UPDATE",
            fact.line,
            table=table,
        )


def _read_table(rev: RevisionInput, fact: PyFact) -> str | None:
    """The table the loop reads: the SELECT traced at its line or written in its source, or
    the ORM model's."""
    for stmt in rev.statements:
        if stmt.line == fact.line and isinstance(stmt.node, ast.SelectStmt):
            for node in walk(stmt.node.fromClause):
                if isinstance(node, ast.RangeVar):
                    return qualified(node)
    quoted = re.search(r"""(['"])(\s*select\b.*?)\1""", fact.detail, re.IGNORECASE | re.DOTALL)
    if quoted:  # rows = conn.execute(sa.text("SELECT ...")) on a line before the loop
        for _text, node in parse_one(quoted.group(2)):
            for inner in walk(getattr(node, "fromClause", None)):
                if isinstance(inner, ast.RangeVar):
                    return qualified(inner)
    if "query(" in fact.detail:
        model = fact.detail.split("query(", 1)[1].split(")", 1)[0].split(",", 1)[0].strip()
        return model_table(rev.source, model)
    return None


RULE = Rule(
    id="row-by-row-data-migration",
    severity=Severity.WARNING,
    summary="a Python loop over rows read from the database that writes row by row",
    why=(
        "one round trip per row, all in the migration's transaction: every row written stays "
        "locked until commit and the deploy waits for the loop"
    ),
    fix=(
        "one set-based statement instead of the loop, in batches that commit when the table "
        "is big:\n"
        "    conn = op.get_bind()\n"
        "    with op.get_context().autocommit_block():\n"
        '        top = conn.execute(sa.text("SELECT max(id) FROM t")).scalar() or 0\n'
        "        for lo in range(0, top + 1, 10_000):\n"
        "            conn.execute(\n"
        '                sa.text("UPDATE t SET slug = lower(name) WHERE id >= :lo AND id < :hi"),\n'
        '                {"lo": lo, "hi": lo + 10_000},\n'
        "            )"
    ),
    on_revision=check,
)
