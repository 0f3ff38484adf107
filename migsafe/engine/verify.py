"""Verification queries: checks that must hold before the migration's COMMIT."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from migsafe.engine.events import Progress, ProgressFn


class VerifyFailed(Exception):
    """A --verify query failed or did not return true."""


def run_checks(conn: sa.Connection, queries: Sequence[str], progress: ProgressFn) -> None:
    """Run each query inside the current transaction; raise VerifyFailed on the first miss.

    A check passes when it returns a row whose first value is true: not false, NULL, 0 (SQLite
    has no booleans) or empty. No rows is a failure too.
    """
    # no_parameters: a "%" or ":name" in the SQL is the user's, not a placeholder.
    runner = conn.execution_options(no_parameters=True)
    for query in queries:
        progress(Progress("verify", message=query))
        try:
            row = runner.exec_driver_sql(query).first()
        except sa.exc.DBAPIError as exc:
            orig = getattr(exc, "orig", exc)
            raise VerifyFailed(
                f"verify query failed: {query!r}: {' '.join(str(orig).split())[:200]}"
            ) from exc
        if row is None:
            raise VerifyFailed(f"verify query returned no rows: {query!r}")
        if not row[0]:
            raise VerifyFailed(f"verify query returned {row[0]!r}: {query!r}")
