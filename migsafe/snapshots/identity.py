"""Which database a snapshot was taken of, and whether a restore target is that database.

A URL does not name a database uniquely: ``localhost`` and ``127.0.0.1``, a DNS alias, a
pooler in front of the server all reach the same one under different host names. So a
PostgreSQL snapshot records, at dump time, the cluster's ``system_identifier`` (from
``pg_control_system()``, the same for a cluster and its physical copies, different for
another ``initdb``), and the database's name and oid within it. A restore target is the same
database when it is in the same cluster and has the same oid (the database itself, even
renamed) or the same name (the one the URL names, even dropped and created again).

Catalog entries written before this was recorded, or a server that does not let the user
read ``pg_control_system()``, fall back to the URLs: same host, port and database name. A
SQLite snapshot compares the database file's absolute path.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from migsafe.db.connection import redact
from migsafe.snapshots.model import Snapshot

__all__ = ["DatabaseIdentity", "of_connection", "of_snapshot", "same_database"]

_DEFAULT_PORT = 5432


@dataclass(frozen=True)
class DatabaseIdentity:
    """Where a database is, as far as it can be told: URL parts, and the catalog's word."""

    backend: str  # "postgresql" | "sqlite"
    url: str  # redacted
    name: str | None  # PostgreSQL: the database's name; SQLite: the file's absolute path
    host: str | None
    port: int | None
    system: str | None = None  # pg_control_system().system_identifier
    oid: int | None = None

    def describe(self) -> str:
        """``shop on db.example.com:5432``, or the SQLite file."""
        if self.backend == "sqlite":
            return str(self.name)
        return f"{self.name} on {self.host or 'localhost'}:{self.port or _DEFAULT_PORT}"


def of_snapshot(snap: Snapshot) -> DatabaseIdentity:
    """The database *snap* was taken of: what its entry recorded, else its URL."""
    url = _parse(snap.database)
    if snap.backend == "sqlite":
        name = snap.source_database or _sqlite_path(url)
        return DatabaseIdentity("sqlite", snap.database, name, None, None)
    return DatabaseIdentity(
        "postgresql",
        snap.database,
        snap.source_database or (url.database if url is not None else None),
        *_host_port(url),
        system=snap.source_system,
        oid=snap.source_database_oid,
    )


def of_connection(conn: sa.Connection, url: URL) -> DatabaseIdentity:
    """The database *conn* is connected to (at *url*), as the catalog identifies it."""
    if url.get_backend_name() == "sqlite":
        return DatabaseIdentity("sqlite", redact(url), _sqlite_path(url), None, None)
    system, name, oid = read_postgres(conn)
    return DatabaseIdentity("postgresql", redact(url), name, *_host_port(url), system, oid)


def read_postgres(conn: sa.Connection) -> tuple[str | None, str, int]:
    """(system_identifier or None, current database, its oid), read on *conn*.

    ``pg_control_system()`` is executable by everyone by default, but a hardened server may
    revoke it; the privilege is asked first so that a refusal cannot abort the caller's
    transaction (the dump's reads it in its snapshot transaction).
    """
    name, oid, readable = conn.execute(
        sa.text(
            "SELECT pg_catalog.current_database(), d.oid::bigint, "
            "pg_catalog.has_function_privilege('pg_catalog.pg_control_system()', 'EXECUTE') "
            "FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()"
        )
    ).one()
    system = None
    if readable:
        system = conn.execute(
            sa.text("SELECT system_identifier::text FROM pg_catalog.pg_control_system()")
        ).scalar_one()
    return system, str(name), int(oid)


def same_database(source: DatabaseIdentity, target: DatabaseIdentity) -> bool:
    """Whether *target* is the database *source* describes (see the module docstring)."""
    if source.backend != target.backend:
        return False
    if source.backend == "sqlite":
        return source.name is not None and source.name == target.name
    if source.system is not None and target.system is not None:
        if source.system != target.system:
            return False
        return (source.oid is not None and source.oid == target.oid) or source.name == target.name
    return (source.host, source.port, source.name) == (target.host, target.port, target.name)


def _parse(url: str) -> URL | None:
    try:
        return make_url(url)
    except Exception:  # a hand-edited entry: compare what is left (the recorded fields)
        return None


def _host_port(url: URL | None) -> tuple[str | None, int | None]:
    """The URL's host and port, with libpq's defaults (a ``host=`` query, port 5432)."""
    if url is None:
        return None, None
    host = url.host or url.query.get("host")
    port = url.port or url.query.get("port")
    if not isinstance(port, int | str) or not str(port).isdigit():
        port = _DEFAULT_PORT  # none given, or a multi-host list: libpq's default, 5432
    return (host if isinstance(host, str) else None), int(port)


def _sqlite_path(url: URL | None) -> str | None:
    if url is None or not url.database or url.database == ":memory:":
        return None
    return str(Path(url.database).resolve())
