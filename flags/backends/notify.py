"""The LISTEN/NOTIFY channel that wakes flag clients, and what its payloads mean.

A payload is only ever a number: the new state version after a flag change,
or `SCHEMA_CHANGED` (0, a version no change produces) after the Alembic
version table changed. Clients re-read everything either way.
"""

from __future__ import annotations

from typing import Any

import psycopg

CHANNEL = "migsafe_flags"

SCHEMA_CHANGED = "0"


def notify_schema_changed(conn: psycopg.Connection[Any]) -> None:
    """Tell every flag client to re-read the Alembic heads when this transaction commits.

    The trigger that `PostgresStore.init()` puts on the version table does this
    by itself; call it where that trigger cannot be installed (e.g. from
    env.py after migrations ran, on the migration's connection).
    """
    conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, SCHEMA_CHANGED))
