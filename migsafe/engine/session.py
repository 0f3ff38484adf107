"""Open what every database command needs: the project, the URL, the engine, the version table."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from migsafe.engine.connection import connect, create_engine, parse_url, redact
from migsafe.engine.envpy import EnvCall, probe
from migsafe.engine.history import History
from migsafe.engine.project import Project, load_project
from migsafe.engine.versions import VersionTable
from migsafe.errors import ConfigError
from migsafe.settings import Settings


@dataclass
class Session:
    settings: Settings
    project: Project
    url: sa.URL
    engine: sa.Engine
    conn: sa.Connection
    versions: VersionTable
    history: History
    heads: tuple[str, ...]
    env: EnvCall

    @property
    def database(self) -> str:
        return redact(self.url)

    def scrub(self, text: str) -> str:
        """Remove the password from any text that may be stored or shown."""
        password = self.url.password
        return text.replace(str(password), "***") if password else text

    def reprobe(self) -> tuple[str, ...]:
        """Read the heads again through env.py (e.g. after waiting for the runner lock)."""
        self.heads, self.env = probe(self.project, self.conn)
        self._end_txn()
        self.versions = VersionTable(
            self.engine, self.env.version_table, self.env.version_table_schema
        )
        return self.heads

    def _end_txn(self) -> None:
        if self.conn.in_transaction():
            self.conn.rollback()

    def close(self) -> None:
        try:
            self.conn.close()
        finally:
            self.engine.dispose()


def open_session(settings: Settings, *, application_name: str = "migsafe") -> Session:
    """Load the project, resolve the URL, connect, and read the current heads."""
    project = load_project(settings)
    url_text = settings.database_url
    if url_text:
        # env.py builds its own engine from this option; point it at the same database.
        project.config.set_main_option("sqlalchemy.url", url_text.replace("%", "%%"))
    else:
        url_text = project.config_url()
    if not url_text:
        # env.py may compute the URL itself (from app settings): ask it, read-only.
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
    engine = create_engine(url, application_name=application_name)
    conn = connect(engine)
    try:
        heads, call = probe(project, conn)
        if conn.in_transaction():
            conn.rollback()
    except BaseException:
        conn.close()
        engine.dispose()
        raise
    return Session(
        settings=settings,
        project=project,
        url=url,
        engine=engine,
        conn=conn,
        versions=VersionTable(engine, call.version_table, call.version_table_schema),
        history=History(engine, settings.schema),
        heads=heads,
        env=call,
    )
