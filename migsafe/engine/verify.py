"""Verification queries: checks that must hold before the migration's COMMIT.

A check only reads. Each runs in a savepoint that is always rolled back, made read-only on
PostgreSQL (``SET TRANSACTION READ ONLY``, undone with the savepoint) and under
``PRAGMA query_only`` on SQLite: a query that tries to write fails (and the run is rolled
back), and nothing a check did can reach the COMMIT.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa

from migsafe.engine.events import Progress, ProgressFn

# How much of a query an error or progress line quotes: a check may be a page of SQL.
SHOWN_CHARS = 120


class VerifyFailed(Exception):
    """A --verify query failed or did not return true."""


def shown_query(query: str) -> str:
    """*query* on one line, cut to :data:`SHOWN_CHARS` with its length said when longer."""
    flat = " ".join(query.split())
    if len(flat) <= SHOWN_CHARS:
        return repr(flat)
    return f"{flat[:SHOWN_CHARS]!r}... ({len(query)} characters)"


def run_checks(conn: sa.Connection, queries: Sequence[str], progress: ProgressFn) -> None:
    """Run each query inside the current transaction; raise VerifyFailed on the first miss.

    A check passes when it returns a row whose first value is true: not false, NULL, 0 (SQLite
    has no booleans) or empty. No rows is a failure too.
    """
    # no_parameters: a "%" or ":name" in the SQL is the user's, not a placeholder.
    runner = conn.execution_options(no_parameters=True)
    for query in queries:
        shown = shown_query(query)
        progress(Progress("verify", message=shown))
        try:
            with _read_only(runner):
                row = runner.exec_driver_sql(query).first()
        except sa.exc.DBAPIError as exc:
            orig = getattr(exc, "orig", exc)
            raise VerifyFailed(
                f"verify query failed: {shown}: {' '.join(str(orig).split())[:200]}"
            ) from exc
        except sa.exc.ResourceClosedError as exc:  # SET ..., an UPDATE: no rows to look at
            raise VerifyFailed(f"verify query returned no result (not a query): {shown}") from exc
        if row is None:
            raise VerifyFailed(f"verify query returned no rows: {shown}")
        if not row[0]:
            raise VerifyFailed(f"verify query returned {row[0]!r}: {shown}")


@contextmanager
def _read_only(conn: sa.Connection) -> Iterator[None]:
    """A savepoint in which nothing can be written, rolled back whatever happens."""
    savepoint = conn.begin_nested()
    sqlite = conn.dialect.name == "sqlite"
    try:
        if sqlite:
            conn.exec_driver_sql("PRAGMA query_only = ON")
        else:
            # Read-only until the savepoint is rolled back, which restores read-write.
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        yield
    finally:
        try:
            if sqlite:
                conn.exec_driver_sql("PRAGMA query_only = OFF")
        finally:
            savepoint.rollback()
