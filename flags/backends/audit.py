"""The store's audit trail: one row per change, written in the change's own transaction.

Every change to a feature or a segment goes through `record_change`, which
writes the audit row, bumps the state version and notifies clients; because
all three share the caller's transaction, a change that rolls back leaves no
trace and clients hear of one only when it commits. `kind` tells a feature's
rows (keyed by its name) from a segment's (keyed by its id).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from flags.backends.base import AuditEntry
from flags.backends.notify import CHANNEL
from flags.backends.tables import DEFAULT_SCHEMA, table

Kind = Literal["feature", "segment"]


def record_change(
    conn: psycopg.Connection[Any],
    schema: str,
    *,
    subject: str,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
    actor: str,
    reason: str | None,
    kind: Kind = "feature",
) -> int:
    """Write the audit row, bump the version and notify; returns the new state version."""
    conn.execute(
        sql.SQL(
            "INSERT INTO {} (kind, flag, actor, old, new, reason) VALUES (%s, %s, %s, %s, %s, %s)"
        ).format(table(schema, "audit")),
        (
            kind,
            subject,
            actor,
            None if old is None else Jsonb(old),
            None if new is None else Jsonb(new),
            reason,
        ),
    )
    row = conn.execute(
        sql.SQL("UPDATE {} SET version = version + 1 RETURNING version").format(
            table(schema, "state")
        )
    ).fetchone()
    assert row is not None
    version = int(row[0])
    conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(version)))
    return version


def read_history(
    conn: psycopg.Connection[Any],
    name: str,
    schema: str = DEFAULT_SCHEMA,
    *,
    kind: Kind = "feature",
) -> list[AuditEntry]:
    """The audit entries of feature `name` (or of segment id `name`), oldest first."""
    try:
        with conn.transaction():
            rows = conn.execute(
                sql.SQL(
                    "SELECT flag, actor, at, old, new, reason, kind FROM {}"
                    " WHERE flag = %s AND kind = %s ORDER BY id"
                ).format(table(schema, "audit")),
                (name, kind),
            ).fetchall()
    except psycopg.errors.UndefinedTable:
        return []
    except psycopg.errors.UndefinedColumn:
        # A store made before segments were kept, not written since: features only.
        if kind != "feature":
            return []
        return _read_feature_history_before_segments(conn, name, schema)
    return [AuditEntry(*row) for row in rows]


def _read_feature_history_before_segments(
    conn: psycopg.Connection[Any], name: str, schema: str
) -> list[AuditEntry]:
    with conn.transaction():
        rows = conn.execute(
            sql.SQL(
                "SELECT flag, actor, at, old, new, reason FROM {} WHERE flag = %s ORDER BY id"
            ).format(table(schema, "audit")),
            (name,),
        ).fetchall()
    return [AuditEntry(*row) for row in rows]
