"""A restore's own session on the database, and how it starts the client tools.

The session plans the restore (catalog queries, other sessions, the server version); the
tools, pg_restore and psql, run with the same conninfo and the password in their own
environment only (see :mod:`~migsafe.snapshots.pgtools`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import ParamSpec, TypeVar

import psycopg
from sqlalchemy.engine import URL

import migsafe.snapshots.restore.catalog as q
from migsafe.db.connection import unavailable
from migsafe.errors import SnapshotError
from migsafe.snapshots.pgtools import LibpqInvocation, PgTool, require_tools, scrub, shown

__all__ = ["APP", "client_tools", "connect", "db_call", "tool_env"]

_P = ParamSpec("_P")
_R = TypeVar("_R")

#: The application_name of a restore's session and tools.
APP = "migsafe restore"


def connect(url: URL, libpq: LibpqInvocation) -> q.Conn:
    """Our own session, for planning: same conninfo as the tools, password passed in-process."""
    password = url.password or url.query.get("password")
    try:
        conn = psycopg.connect(
            libpq.conninfo,
            password=password if isinstance(password, str) else None,
            application_name=APP,
            autocommit=True,
        )
    except psycopg.Error as exc:
        raise unavailable(url, exc) from exc
    try:
        q.inspection_session(conn)
    except psycopg.Error as exc:
        conn.close()
        reason = scrub(str(exc), url)
        raise SnapshotError(f"cannot prepare a session on {shown(url)}: {reason}") from exc
    return conn


def client_tools(conn: q.Conn, bin_dir: Path | None) -> Mapping[str, PgTool]:
    """pg_restore and psql at least as new as the server."""
    version = db_call(q.server_version_num, conn)
    return require_tools(version, ("pg_restore", "psql"), bin_dir=bin_dir)


def db_call(fn: Callable[_P, _R], *args: _P.args, **kwargs: _P.kwargs) -> _R:
    """``fn(*args, **kwargs)``, a database error turned into a SnapshotError."""
    try:
        return fn(*args, **kwargs)
    except psycopg.Error as exc:
        raise SnapshotError(f"cannot plan the restore: {exc}") from exc


def tool_env(libpq: LibpqInvocation) -> dict[str, str]:
    """The environment pg_restore and psql run with."""
    return {**libpq.env, "PGAPPNAME": APP, "PGCLIENTENCODING": "UTF8"}
