"""Recognise driver errors by what they mean, whatever wraps them.

By error class, not message text: a PostgreSQL error carries its SQLSTATE whichever driver
raised it (psycopg 3 and asyncpg: ``sqlstate``; psycopg2: ``pgcode``; pg8000: the ``C`` field),
and psycopg's error classes name them (``psycopg.errors.LockNotAvailable.sqlstate`` is
``55P03``); a SQLite error carries its result code (``sqlite_errorcode``). Only a connection
that never reached the server has neither, so :func:`connect_hint` falls back to libpq's text.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator

from psycopg import errors as pg

from migsafe.errors import PrivilegeError


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


#: Raised by a revert's row restore (reverse/rows/restore.py) when rows it would put back were
#: changed since the upgrade.
ROW_CONFLICT = "MS409"


class SqliteRowConflict(Exception):
    """A SQLite row restore found rows changed since the upgrade (its check runs in Python:
    SQLite has no RAISE outside triggers); reported like PostgreSQL's, by its SQLSTATE."""

    sqlstate = ROW_CONFLICT


def row_conflict(exc: BaseException) -> str | None:
    """The message of a row restore's conflict in *exc*'s causes, or None."""
    for cause in iter_causes(exc):
        if sqlstate(cause) == ROW_CONFLICT:
            diag = getattr(cause, "diag", None)
            return str(getattr(diag, "message_primary", None) or cause)
    return None


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


# What PostgreSQL says for 42501, and the kind of object it names.
_DENIED_FOR = re.compile(r"permission denied for (\w+(?: \w+)?) (\S+)")
_MUST_OWN = re.compile(r"must be owner of (\w+(?: \w+)?) (\S+)")
_STATEMENT_VERB = re.compile(
    r"^\s*(SELECT|INSERT|UPDATE|DELETE|TRUNCATE|CREATE|ALTER|DROP|LOCK)\b", re.I
)


def privilege_error(exc: BaseException, role: str | None) -> PrivilegeError | None:
    """A one-line error naming the privilege *role* lacks and on what, for a 42501 anywhere in
    *exc*'s causes; None for any other error.

    PostgreSQL names the object (``permission denied for schema migsafe``); the privilege is
    read from the statement that failed: USAGE for a schema it could not look into, CREATE
    for one it could not create in, the statement's verb (SELECT, INSERT...) for a table.
    """
    wanted = pg.InsufficientPrivilege.sqlstate
    denied = next((c for c in iter_causes(exc) if sqlstate(c) == wanted), None)
    if denied is None:
        return None
    text = " ".join(str(denied).split("\n", 1)[0].split())
    statement = str(getattr(exc, "statement", "") or "")
    verb_match = _STATEMENT_VERB.match(statement)
    verb = verb_match.group(1).upper() if verb_match else None
    who = f"the role {role!r}" if role else "the database role"
    if match := _DENIED_FOR.search(text):
        kind, name = match.groups()
        if kind == "schema":
            privilege = "CREATE" if verb == "CREATE" else "USAGE"
        elif kind == "database":
            privilege = "CONNECT" if verb is None else "CREATE"
        else:
            privilege = verb or "the privilege needed"
            # PostgreSQL names a table without its schema; the statement has it.
            qualified = re.search(rf'"?(\w+)"?\."?{re.escape(name)}"?(?!\w)', statement)
            name = f"{qualified.group(1)}.{name}" if qualified else name
        what = f"{privilege} on {kind} {name}"
        grant = f"GRANT {privilege} ON {kind.upper()} {name} TO {role or 'ROLE'}"
        hint = f"grant it ({grant}) or use a role that has it; nothing was changed"
    elif match := _MUST_OWN.search(text):
        kind, name = match.groups()
        what = f"ownership of {kind} {name}"
        hint = "run as the owner (or a member of the owning role); nothing was changed"
    elif "permission denied to create database" in text:
        what = "the CREATEDB attribute"
        hint = (
            f"ALTER ROLE {role or 'ROLE'} CREATEDB, or use a role that has it; nothing was changed"
        )
    else:
        what = "a privilege"
        hint = "grant the role what the statement needs, or use another role; nothing was changed"
    return PrivilegeError(f"{who} lacks {what}: {text[:200]}", hint=hint)


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
