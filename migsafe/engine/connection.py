"""Database URLs, engines and the classification of driver errors.

migsafe owns the connection a migration runs on, so it builds its own engine from the URL: a
synchronous driver (an ``asyncpg`` URL is switched to ``psycopg``), no pool, and, on SQLite,
real transactions around DDL (the sqlite3 module otherwise commits DDL implicitly).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from migsafe.engine.dberrors import connect_hint
from migsafe.errors import DatabaseUnavailableError, UsageError

_SYNC_DRIVERS = {
    "asyncpg": "psycopg",
    "psycopg_async": "psycopg",
    "aiosqlite": "pysqlite",
}


def parse_url(url: str) -> URL:
    """Parse a SQLAlchemy URL, with a one-line error for a malformed one."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # SQLAlchemy raises ArgumentError, ValueError and others
        raise UsageError(
            f"cannot parse database URL {redact(url)!r}",
            hint="expected e.g. postgresql+psycopg://user@host:5432/dbname or sqlite:///file.db",
        ) from exc
    backend = parsed.get_backend_name()
    if backend not in ("postgresql", "sqlite"):
        raise UsageError(
            f"unsupported database {backend!r} in URL {redact(url)!r}",
            hint="migsafe supports PostgreSQL and SQLite",
        )
    driver = parsed.get_driver_name()
    if driver in _SYNC_DRIVERS:
        parsed = parsed.set(drivername=f"{backend}+{_SYNC_DRIVERS[driver]}")
    elif (
        backend == "postgresql" and driver in ("psycopg2", "pg8000") and not _importable(driver)
    ) or (backend == "postgresql" and "+" not in parsed.drivername):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _importable(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def redact(url: str | URL | None) -> str:
    """Render a URL with any password replaced by ``***``."""
    if url is None:
        return "<none>"
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        # Not a parseable URL: hide everything between "//" and "@" to be safe.
        head, sep, tail = url.partition("://")
        if sep and "@" in tail:
            return f"{head}://***@{tail.split('@', 1)[1]}"
        return url


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def create_engine(url: URL, *, application_name: str = "migsafe") -> sa.Engine:
    """An engine without a pool whose transactions really cover DDL."""
    kwargs: dict[str, Any] = {"poolclass": NullPool}
    if is_sqlite(url):
        kwargs["connect_args"] = {"timeout": 30}
        engine = sa.create_engine(url, **kwargs)
        _sqlite_real_transactions(engine)
        return engine
    kwargs["connect_args"] = {"application_name": application_name[:63], "connect_timeout": 10}
    return sa.create_engine(url, **kwargs)


def _sqlite_real_transactions(engine: sa.Engine) -> None:
    # The recipe from SQLAlchemy's SQLite docs: stop pysqlite from issuing its own BEGIN (and
    # COMMIT before DDL), and emit BEGIN ourselves, so a failed migration rolls back its DDL.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        options = conn.get_execution_options()
        if options.get("isolation_level") != "AUTOCOMMIT":
            # The migration connection asks for IMMEDIATE: take the write lock up front
            # rather than fail half-way with "database is locked".
            mode = "IMMEDIATE" if options.get("migsafe_write") else "DEFERRED"
            conn.exec_driver_sql(f"BEGIN {mode}")


def connect(engine: sa.Engine) -> sa.Connection:
    """Open a connection, turning driver errors into one-line errors with exit code 3."""
    try:
        return engine.connect()
    except sa.exc.DBAPIError as exc:
        raise unavailable(engine.url, exc) from exc


def unavailable(url: URL, exc: BaseException) -> DatabaseUnavailableError:
    """Describe why a database could not be reached, without the password."""
    orig = getattr(exc, "orig", exc)
    text = " ".join(str(orig).split())
    password = url.password
    if password:
        text = text.replace(str(password), "***")
    return DatabaseUnavailableError(
        f"cannot connect to {redact(url)}: {text[:300]}", hint=connect_hint(text)
    )
