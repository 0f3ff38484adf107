"""Database URLs, engines and the classification of driver errors.

migsafe owns the connection a migration runs on, so it builds its own engine from the URL:
on the URL's driver (:func:`migration_url`: the migrations run where ``alembic upgrade``
would run them, asyncpg included, through db/asyncbridge.py), no pool, and, on SQLite,
real transactions around DDL (the sqlite3 module otherwise commits DDL implicitly). migsafe's
own bookkeeping (history, the runner lock, snapshots) uses psycopg (:func:`parse_url`).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from migsafe.db.dberrors import connect_hint
from migsafe.db.url_check import check_url_text
from migsafe.errors import DatabaseUnavailableError, UsageError
from migsafe.redaction import mask_query_secrets, redact_url_text, remember_password, scrub

# The same driver library through its synchronous API: statements, parameters and server
# behaviour are the same, only the calling convention differs.
_SAME_DRIVER_SYNC = {
    "psycopg_async": "psycopg",
    "aiosqlite": "pysqlite",
}

# Async drivers migsafe runs migrations on through its bridge (db/asyncbridge.py).
_BRIDGED = ("asyncpg",)


def parse_url(url: str) -> URL:
    """Parse a SQLAlchemy URL, with a one-line error for a malformed one: the URL migsafe's
    own bookkeeping connects with (psycopg on PostgreSQL, the sqlite3 module on SQLite).

    Its password is remembered for scrubbing (migsafe.redaction), whatever happens next."""
    check_url_text(url)
    try:
        parsed = make_url(url)
    except Exception as exc:  # SQLAlchemy raises ArgumentError, ValueError and others
        raise UsageError(
            f"cannot parse database URL {redact(url)!r}",
            hint="expected e.g. postgresql+psycopg://user@host:5432/dbname or sqlite:///file.db",
        ) from exc  # its message may quote the URL: the error boundary scrubs tracebacks
    remember_password(parsed.password)
    query_password = parsed.query.get("password")
    for value in (query_password,) if isinstance(query_password, str) else query_password or ():
        remember_password(value)
    backend = parsed.get_backend_name()
    if backend not in ("postgresql", "sqlite"):
        raise UsageError(
            f"unsupported database {backend!r} in URL {redact(url)!r}",
            hint="migsafe supports PostgreSQL and SQLite",
        )
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    if parsed.get_driver_name() in _SAME_DRIVER_SYNC:
        return parsed.set(drivername="sqlite+pysqlite")
    return parsed


def migration_url(url: str) -> URL:
    """The URL the migrations run on: the driver the URL names, as Alembic would use it.

    ``postgresql://`` names none: SQLAlchemy's default (psycopg2) when it is installed, else
    psycopg, migsafe's own. ``psycopg_async`` and ``aiosqlite`` run through the same library's
    synchronous API. A driver that is not installed, or an async one migsafe cannot drive, is
    a usage error (exit 2): migsafe never runs the migrations on another driver instead.
    """
    parsed = parse_url(url)  # validation
    theirs = make_url(url)
    backend = theirs.get_backend_name()
    driver = theirs.get_driver_name()
    if "+" not in theirs.drivername:
        if backend == "postgresql":
            return parsed.set(drivername="postgresql+" + _default_pg_driver())
        return parsed
    if driver in _SAME_DRIVER_SYNC:
        return theirs.set(drivername=f"{backend}+{_SAME_DRIVER_SYNC[driver]}")
    try:
        dialect_cls = theirs.get_dialect()
        dialect_cls.import_dbapi()
    except ImportError as exc:
        raise UsageError(
            f"the database URL names the driver {driver!r}, which is not installed "
            f"({type(exc).__name__}: {exc})",
            hint=f"install it (the migrations run on the driver env.py uses), or name an "
            f"installed one: {backend}+psycopg://...",
        ) from exc
    except Exception as exc:  # NoSuchModuleError: a driver SQLAlchemy does not know
        raise UsageError(
            f"unknown driver {driver!r} in URL {redact(url)!r}",
            hint=f"expected e.g. {backend}+psycopg://user@host/dbname",
        ) from exc
    if getattr(dialect_cls, "is_async", False) and driver not in _BRIDGED:
        raise UsageError(
            f"migsafe cannot run migrations on the async driver {driver!r}",
            hint="supported: asyncpg, psycopg (sync or async), psycopg2, pg8000, sqlite",
        )
    return theirs


def same_driver(a: sa.Dialect, b: sa.Dialect) -> bool:
    """Two dialects talk to the database through the same driver library."""

    def family(d: sa.Dialect) -> tuple[str, str]:
        driver = str(d.driver)
        return d.name, _SAME_DRIVER_SYNC.get(driver, driver)

    return family(a) == family(b)


def _default_pg_driver() -> str:
    return "psycopg2" if _importable("psycopg2") else "psycopg"


def _importable(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def redact(url: str | URL | None) -> str:
    """Render a URL with any password replaced by ``***``."""
    if url is None:
        return "<none>"
    if isinstance(url, URL):
        return mask_query_secrets(url.render_as_string(hide_password=True))
    try:
        return mask_query_secrets(make_url(url).render_as_string(hide_password=True))
    except Exception:
        # Not a parseable URL: hide whatever stands where a password would.
        return redact_url_text(url)


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
    driver = url.get_driver_name()
    name = application_name[:63]
    if driver == "asyncpg":
        from migsafe.db.asyncbridge import create_asyncpg_engine

        kwargs["connect_args"] = {"server_settings": {"application_name": name}, "timeout": 10}
        return create_asyncpg_engine(url, **kwargs)
    if driver == "pg8000":
        kwargs["connect_args"] = {"application_name": name, "timeout": 10}
    else:
        kwargs["connect_args"] = {"application_name": name, "connect_timeout": 10}
    return sa.create_engine(url, **kwargs)


def dispose(engine: sa.Engine) -> None:
    """Dispose of *engine*, and of the event loop an asyncpg engine runs on."""
    engine.dispose()
    bridge = getattr(engine, "_migsafe_bridge", None)
    if bridge is not None:
        bridge.close()


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
    bridge = getattr(engine, "_migsafe_bridge", None)  # db/asyncbridge.py
    try:
        # asyncpg: the first connect also runs the dialect's set-up awaits (type codecs).
        return bridge.call(engine.connect) if bridge is not None else engine.connect()
    except sa.exc.DBAPIError as exc:
        raise unavailable(engine.url, exc) from exc


def unavailable(url: URL, exc: BaseException) -> DatabaseUnavailableError:
    """Describe why a database could not be reached, without the password."""
    orig = getattr(exc, "orig", exc)
    text = scrub(" ".join(str(orig).split()), [url.password])
    return DatabaseUnavailableError(
        f"cannot connect to {redact(url)}: {text[:300]}", hint=connect_hint(text, exc)
    )
