"""lock-table: an explicit ``LOCK TABLE`` on an existing table.

Why: the lock is held until the transaction ends, and migsafe runs the whole chain of pending
revisions in one transaction: ``LOCK TABLE t`` (ACCESS EXCLUSIVE unless a mode is given) blocks
every read and write of ``t`` until the last revision has run. While it waits for the lock,
every later query on ``t`` queues behind it.

Instead: let each statement take the lock it needs, as late as possible; if a lock is really
needed, take the weakest mode that serves (``IN SHARE ROW EXCLUSIVE MODE`` keeps reads going),
put the revision last or alone, and keep the guard's ``lock_timeout``.

Inside ``autocommit_block()`` it is an error: PostgreSQL refuses ``LOCK TABLE`` outside a
transaction block.

Not flagged: tables created earlier in the same run. ``ACCESS SHARE`` and ``ROW SHARE`` (they
only conflict with ACCESS EXCLUSIVE / EXCLUSIVE) are reported as info.
"""

from __future__ import annotations

from collections.abc import Iterator

from pglast import ast

from migsafe.lint.context import Context
from migsafe.lint.model import Hit, Rule, Severity, Statement
from migsafe.lint.sqltext import qualified

# pglast's LockStmt.mode: PostgreSQL's lock mode numbers (lockdefs.h).
_MODES = {
    1: "ACCESS SHARE",
    2: "ROW SHARE",
    3: "ROW EXCLUSIVE",
    4: "SHARE UPDATE EXCLUSIVE",
    5: "SHARE",
    6: "SHARE ROW EXCLUSIVE",
    7: "EXCLUSIVE",
    8: "ACCESS EXCLUSIVE",
}
# What each mode makes wait (the modes it conflicts with, in words).
_BLOCKS = {
    1: "ALTER/DROP (ACCESS EXCLUSIVE) of",
    2: "EXCLUSIVE locks and ALTER TABLE on",
    3: "CREATE INDEX and explicit SHARE locks on",
    4: "VACUUM, CREATE INDEX and schema changes on",
    5: "writes to",
    6: "writes to",
    7: "writes and SELECT ... FOR UPDATE on",
    8: "every read and write of",
}


def check(stmt: Statement, ctx: Context) -> Iterator[Hit]:
    node = stmt.node
    if not isinstance(node, ast.LockStmt):
        return
    tables = [t for t in (qualified(rv) for rv in node.relations or ()) if t]
    existing = [t for t in tables if not ctx.is_new_table(t)]
    if not existing:
        return
    mode = _MODES.get(node.mode or 8, "ACCESS EXCLUSIVE")
    names = ", ".join(existing)
    if stmt.autocommit:
        # Each statement of autocommit_block() is its own transaction: PostgreSQL refuses it.
        yield Hit(
            f"LOCK TABLE {names} inside autocommit_block() fails: LOCK TABLE can only be used "
            "in transaction blocks",
            stmt.line,
            severity=Severity.ERROR,
        )
        return
    yield Hit(
        f"LOCK TABLE {names} IN {mode} MODE blocks {_BLOCKS.get(node.mode or 8, '')} {names} "
        "until the whole run commits",
        stmt.line,
        table=existing[0],
        severity=Severity.INFO if (node.mode or 8) <= 2 else None,
    )


RULE = Rule(
    id="lock-table",
    severity=Severity.WARNING,
    summary="explicit LOCK TABLE on an existing table (held until the whole run commits)",
    why="the lock lasts until the end of the transaction: the whole chain of revisions",
    fix=(
        "drop the LOCK TABLE and let each statement take its own lock; if one is needed,\n"
        "take the weakest mode and run the revision alone:\n"
        "    op.execute('LOCK TABLE orders IN SHARE ROW EXCLUSIVE MODE')  # reads go on"
    ),
    on_statement=check,
    size_matters=False,
)
