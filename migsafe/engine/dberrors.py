"""Recognise driver errors by what they mean, whatever wraps them."""

from __future__ import annotations

from collections.abc import Iterator


def connect_hint(message: str) -> str | None:
    """What to check, for the text of a failed connection attempt."""
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


def is_lock_timeout(exc: BaseException) -> bool:
    """A lock_timeout on PostgreSQL (55P03), or "database is locked" on SQLite."""
    for cause in iter_causes(exc):
        if getattr(cause, "sqlstate", None) == "55P03":
            return True
        if type(cause).__name__ == "OperationalError" and "database is locked" in str(cause):
            return True
    return False


def is_cancelled(exc: BaseException) -> bool:
    """A statement cancelled (57014: by a cancel request or a statement timeout)."""
    return any(getattr(c, "sqlstate", None) == "57014" for c in iter_causes(exc))


#: SQLSTATEs of a session the server ended: admin shutdown, crash shutdown, cannot connect now.
_SERVER_ENDED = ("57P01", "57P02", "57P03", "08000", "08003", "08006")


def is_connection_lost(exc: BaseException) -> bool:
    """The connection broke under the run: the server restarted, the session was terminated
    (``pg_terminate_backend``), or the network went away."""
    for cause in iter_causes(exc):
        if getattr(cause, "connection_invalidated", False):
            return True
        if getattr(cause, "sqlstate", None) in _SERVER_ENDED:
            return True
        if type(cause).__name__ == "PendingRollbackError":
            return True
    return False
