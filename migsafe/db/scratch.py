"""Scratch databases: made for one job on the target's server, and dropped, also after a crash.

Each carries a marker in its comment: migsafe's, the host and the process that made it. A
process killed with SIGKILL cannot drop its scratch database; the next one made on that server
from the same host drops every marked database whose process is gone (:func:`sweep`).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import time

import psycopg
from psycopg import sql

_KIND = "migsafe scratch"


def create_scratch(raw: psycopg.Connection[tuple[object, ...]], prefix: str) -> str:
    """Create an empty database ``<prefix>_<random>`` (from template0), marked as this
    process's scratch database, after sweeping what dead processes left. Its name."""
    sweep(raw)
    name = f"{prefix}_{secrets.token_hex(3)}"
    raw.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    marker = json.dumps(
        {"kind": _KIND, "host": socket.gethostname(), "pid": os.getpid(), "at": int(time.time())}
    )
    try:
        raw.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name), sql.Literal(marker)
            )
        )
    except psycopg.Error:
        drop_scratch(raw, name)
        raise
    return name


def drop_scratch(raw: psycopg.Connection[tuple[object, ...]], name: str) -> None:
    raw.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def sweep(raw: psycopg.Connection[tuple[object, ...]]) -> list[str]:
    """Drop the scratch databases that processes on this host made and did not live to drop.

    Only databases with migsafe's marker, made from this host, whose process is gone; one that
    cannot be dropped (another role owns it) is left for its owner. The names dropped.
    """
    rows = raw.execute(
        "SELECT d.datname, shobj_description(d.oid, 'pg_database') FROM pg_database d "
        "WHERE d.datname LIKE 'migsafe\\_%'"
    ).fetchall()
    dropped = []
    for name, comment in rows:
        owner = _marker(comment)
        if owner is None or owner[0] != socket.gethostname() or _alive(owner[1]):
            continue
        try:
            drop_scratch(raw, str(name))
        except psycopg.Error:
            continue
        dropped.append(str(name))
    return dropped


def _marker(comment: object) -> tuple[str, int] | None:
    if not isinstance(comment, str):
        return None
    try:
        data = json.loads(comment)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("kind") != _KIND:
        return None
    host, pid = data.get("host"), data.get("pid")
    if not isinstance(host, str) or not isinstance(pid, int):
        return None
    return host, pid


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True
