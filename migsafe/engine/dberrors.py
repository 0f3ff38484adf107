"""Recognise driver errors by what they mean, whatever wraps them.

By error class, not message text: a PostgreSQL error carries its SQLSTATE whichever driver
raised it (psycopg 3 and asyncpg: ``sqlstate``; psycopg2: ``pgcode``; pg8000: the ``C`` field),
and psycopg's error classes name them (``psycopg.errors.LockNotAvailable.sqlstate`` is
``55P03``); a SQLite error carries its result code (``sqlite_errorcode``). Only a connection
that never reached the server has neither, so :func:`connect_hint` falls back to libpq's text.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from psycopg import errors as pg


def iter_causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        if isinstance(orig, BaseException) and id(orig) not in seen:
            yield orig
        current = current.__cause__ or current.__context__


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of one PostgreSQL error, from any of the drivers migsafe runs on."""
    for attribute in ("sqlstate", "pgcode"):
        value = getattr(exc, attribute, None)
        if isinstance(value, str):
            return value
    fields = exc.args[0] if exc.args else None
    if isinstance(fields, dict) and isinstance(fields.get("C"), str):  # pg8000
        return str(fields["C"])
    return None


def sqlite_code(exc: BaseException) -> int | None:
    """The primary SQLite result code of a sqlite3 error (``sqlite3.SQLITE_BUSY``...)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def caused_by(exc: BaseException, *kinds: type[pg.Error]) -> bool:
    """Whether a PostgreSQL error of one of ``kinds`` is anywhere in the cause chain."""
    wanted = {kind.sqlstate for kind in kinds}
    return any(sqlstate(cause) in wanted for cause in iter_causes(exc))


def is_lock_timeout(exc: BaseException) -> bool:
    """A lock_timeout on PostgreSQL, or a busy/locked database on SQLite."""
    if caused_by(exc, pg.LockNotAvailable):
        return True
    busy = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
    return any(sqlite_code(cause) in busy for cause in iter_causes(exc))


def is_statement_timeout(exc: BaseException) -> bool:
    """A statement cancelled by statement_timeout (or by a cancel request)."""
    return caused_by(exc, pg.QueryCanceled)


def connect_hint(message: str, exc: BaseException | None = None) -> str | None:
    """What to check, for a failed connection attempt (``message``: its scrubbed text)."""
    if exc is not None:
        if caused_by(exc, pg.InvalidPassword, pg.InvalidAuthorizationSpecification):
            return "check the user and password (PGPASSWORD, ~/.pgpass or the URL)"
        if caused_by(exc, pg.InvalidCatalogName):
            return "create the database first, or fix the database name in the URL"
        if any(sqlite_code(c) == sqlite3.SQLITE_CANTOPEN for c in iter_causes(exc)):
            return "check that the SQLite file's directory exists and is writable"
    # libpq reports a failure before any server answer (or during authentication, on most
    # versions) without a SQLSTATE: only its text tells.
    lowered = message.lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return "check the user and password (PGPASSWORD, ~/.pgpass or the URL)"
    if "does not exist" in lowered and "database" in lowered:
        return "create the database first, or fix the database name in the URL"
    if "connection refused" in lowered or "could not connect" in lowered or "timeout" in lowered:
        return "is the server running and reachable at that host and port?"
    if "unable to open database file" in lowered:
        return "check that the SQLite file's directory exists and is writable"
    return None


#: A session the server ended: admin or crash shutdown, not accepting connections now, or the
#: connection itself broken.
_SERVER_ENDED = (
    pg.AdminShutdown,
    pg.CrashShutdown,
    pg.CannotConnectNow,
    pg.ConnectionException,
    pg.ConnectionDoesNotExist,
    pg.ConnectionFailure,
)


def is_connection_lost(exc: BaseException) -> bool:
    """The connection broke under the run: the server restarted, the session was terminated
    (``pg_terminate_backend``), or the network went away."""
    if caused_by(exc, *_SERVER_ENDED):
        return True
    return any(
        getattr(cause, "connection_invalidated", False)
        or type(cause).__name__ == "PendingRollbackError"
        for cause in iter_causes(exc)
    )
