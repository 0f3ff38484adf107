"""Open what every database command needs: the project, the URL, the engine, the version table."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from migsafe.db.connection import (
    connect,
    create_engine,
    dispose,
    is_sqlite,
    migration_url,
    parse_url,
    redact,
)
from migsafe.engine.envpy import EnvCall, probe
from migsafe.engine.history import History
from migsafe.engine.lock import lock_engine
from migsafe.engine.project import Project, load_config, load_project
from migsafe.engine.versions import VersionTable
from migsafe.errors import ConfigError, DatabaseUnavailableError
from migsafe.redaction import scrub
from migsafe.settings import Settings


@dataclass(frozen=True)
class Position:
    """Where the database is, as last read: its heads, Alembic's version table, and what
    env.py told when it was run for them."""

    heads: tuple[str, ...]
    versions: VersionTable
    env: EnvCall


@dataclass
class Session:
    """What a command works with. ``url``/``engine``: migsafe's own bookkeeping (psycopg on
    PostgreSQL); ``conn``: the migrations' connection, on the driver the URL names.

    What it holds does not change; where the database is changes only through
    :meth:`reprobe` / :meth:`read_heads`, which return the new :class:`Position`, and the
    auxiliary connection only for the span of :meth:`aux_through`.
    """

    settings: Settings
    project: Project
    url: sa.URL
    engine: sa.Engine
    conn: sa.Connection
    position: Position
    lock_conn: sa.Connection | None = None  # opened early for the runner lock
    history: History = field(init=False)
    _aux_conn: sa.Connection | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        # History writes go through aux(): the lock's connection during a run.
        self.history = History(self.engine, self.settings.schema, connect=self.aux)

    @property
    def heads(self) -> tuple[str, ...]:
        return self.position.heads

    @property
    def versions(self) -> VersionTable:
        return self.position.versions

    @property
    def env(self) -> EnvCall:
        return self.position.env

    def connections(self) -> tuple[sa.Connection, ...]:
        """The connections this session holds now: the migration's, and the runner lock's
        while it is the auxiliary one."""
        return (self.conn,) if self._aux_conn is None else (self.conn, self._aux_conn)

    @contextmanager
    def aux_through(self, conn: sa.Connection | None) -> Iterator[None]:
        """:meth:`aux` is *conn* (the runner lock's connection) while this lasts."""
        self._aux_conn = conn
        try:
            yield
        finally:
            self._aux_conn = None

    @contextmanager
    def aux(self) -> Iterator[sa.Connection]:
        """A connection beside the migration's, in autocommit: history, checks, reads.

        During a run it is the runner lock's connection (one connection for both); otherwise
        a short-lived one.
        """
        if self._aux_conn is not None:
            yield self._aux_conn
            return
        with self.engine.connect() as conn:
            yield conn.execution_options(isolation_level="AUTOCOMMIT")

    @property
    def is_sqlite(self) -> bool:
        return self.conn.dialect.name == "sqlite"

    @property
    def database(self) -> str:
        return redact(self.url)

    def scrub(self, text: str) -> str:
        """Remove the password from any text that may be stored or shown, however it is
        spelled there (raw, percent-encoded, ``+`` for a space)."""
        return scrub(text, [self.url.password])

    def reprobe(self) -> Position:
        """Read the heads again through env.py (e.g. after waiting for the runner lock)."""
        heads, env = probe(self.project, self.conn)
        self._end_txn()
        versions = VersionTable(self.engine, env.version_table, env.version_table_schema)
        self.position = Position(heads, versions, env)
        return self.position

    def read_heads(self, versions: VersionTable) -> Position:
        """Read the heads from *versions* directly, without env.py."""
        heads = versions.read(self.conn)
        self._end_txn()
        self.position = Position(heads, versions, self.position.env)
        return self.position

    def _end_txn(self) -> None:
        if self.conn.in_transaction():
            self.conn.rollback()

    def take_lock_connection(self) -> sa.Connection | None:
        conn, self.lock_conn = self.lock_conn, None
        return conn

    def close(self) -> None:
        try:
            _close(self.conn, self.take_lock_connection())
        finally:
            dispose(self.engine)


def open_session(
    settings: Settings,
    *,
    application_name: str = "migsafe",
    probe_now: bool = True,
    lock_run_id: str | None = None,
    read_only: bool = False,
) -> Session:
    """Load the project, resolve the URL, connect, and read the current heads.

    ``probe_now=False`` skips reading the heads (through env.py) when the caller will call
    :meth:`Session.reprobe` under the runner lock anyway. ``lock_run_id`` also opens the runner
    lock's connection. Connections are opened in the background while the revision files load:
    on a server with password authentication each costs several milliseconds.
    """
    config = load_config(settings)
    url_text = settings.database_url
    if url_text:
        # env.py builds its own engine from this option; point it at the same database.
        config.set_main_option("sqlalchemy.url", url_text.replace("%", "%%"))
    else:
        url_text = Project.url_of(config)
    if url_text:
        url = parse_url(url_text)
        migrations_url = migration_url(url_text)
        if read_only:
            _refuse_missing_sqlite_file(url)
        with _Prefetch(url, migrations_url, application_name, lock_run_id) as prefetch:
            project = load_project(settings, config)
            engine, conn, lock_conn = prefetch.result()
    else:
        project = load_project(settings, config)
        url, engine, conn, lock_conn = _url_from_env_py(project, application_name, lock_run_id)
    heads: tuple[str, ...] = ()
    call = EnvCall()
    if probe_now:
        try:
            heads, call = probe(project, conn)
            if conn.in_transaction():
                conn.rollback()
        except BaseException:
            _close(conn, lock_conn)
            raise
    session = Session(
        settings=settings,
        project=project,
        url=url,
        engine=engine,
        conn=conn,
        position=Position(
            heads, VersionTable(engine, call.version_table, call.version_table_schema), call
        ),
        lock_conn=lock_conn,
    )
    return session


def _url_from_env_py(
    project: Project, application_name: str, lock_run_id: str | None
) -> tuple[sa.URL, sa.Engine, sa.Connection, sa.Connection | None]:
    """No URL in settings or config: env.py computes it (from app settings); ask it."""
    _, call = probe(project, None)
    url_text = project.config_url()
    if call.their_url is not None:
        url_text = call.their_url.render_as_string(hide_password=False)
    if not url_text:
        raise ConfigError(
            "no database URL: none given and the Alembic config has no sqlalchemy.url",
            hint="pass --database-url or set MIGSAFE_DATABASE_URL",
        )
    url = parse_url(url_text)
    with _Prefetch(url, migration_url(url_text), application_name, lock_run_id) as prefetch:
        engine, conn, lock_conn = prefetch.result()
    return url, engine, conn, lock_conn


class _Prefetch:
    """Open the migration connection (and the lock's) in background threads."""

    def __init__(
        self,
        url: sa.URL,
        migrations_url: sa.URL,
        application_name: str,
        lock_run_id: str | None,
    ) -> None:
        # Bookkeeping (history, heads after a failure) on migsafe's driver; the migrations on
        # the user's. One engine when they are the same.
        self.engine = create_engine(url, application_name=application_name)
        self.migration_engine = (
            self.engine
            if migrations_url.drivername == url.drivername
            else create_engine(migrations_url, application_name=application_name)
        )
        self.lock_engine = (
            lock_engine(url, lock_run_id) if lock_run_id and not is_sqlite(url) else None
        )
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="migsafe-connect")
        self.conn = self.pool.submit(connect, self.migration_engine)
        self.lock_conn = self.pool.submit(connect, self.lock_engine) if self.lock_engine else None

    def __enter__(self) -> _Prefetch:
        return self

    def result(self) -> tuple[sa.Engine, sa.Connection, sa.Connection | None]:
        conn = prepare_migration_connection(self.conn.result())
        lock_conn = self.lock_conn.result() if self.lock_conn is not None else None
        return self.engine, conn, lock_conn

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.pool.shutdown(wait=True)
        if exc_type is None:
            return
        # Loading the project failed: close whatever got opened meanwhile.
        for future in (self.conn, self.lock_conn):
            if future is not None and future.exception() is None:
                future.result().close()
        for engine in {self.engine, self.migration_engine}:
            dispose(engine)
        if self.lock_engine is not None:
            self.lock_engine.dispose()


def _refuse_missing_sqlite_file(url: sa.URL) -> None:
    """Reading a SQLite file that is not there would create it: say so instead."""
    database = url.database or ""
    if not is_sqlite(url) or not database or database == ":memory:" or "mode=" in database:
        return
    path = Path(database)
    if not path.exists():
        raise DatabaseUnavailableError(
            f"no SQLite database at {path}",
            hint="the first `migsafe upgrade` creates it; check the path otherwise",
        )


def prepare_migration_connection(conn: sa.Connection) -> sa.Connection:
    """Session settings for the connection migrations run on.

    SQLite: BEGIN IMMEDIATE, so the write lock is taken before the first step rather than
    failing half-way. PostgreSQL 14+: check every second that the client is still there, so a
    killed runner's backend stops (and drops its locks) instead of finishing a long statement.
    """
    conn.execution_options(migsafe_write=True)
    if conn.dialect.name == "postgresql" and (conn.dialect.server_version_info or (0,)) >= (14,):
        conn.exec_driver_sql("SET client_connection_check_interval = 1000")
        conn.commit()
    return conn


def _close(conn: sa.Connection, lock_conn: sa.Connection | None) -> None:
    for c in (conn, lock_conn):
        if c is not None:
            engine = c.engine
            # A connection the server ended (a restart, pg_terminate_backend) cannot fail its
            # close: its session is gone, and the error that broke it is already reported.
            with contextlib.suppress(sa.exc.SQLAlchemyError):
                c.close()
            dispose(engine)
