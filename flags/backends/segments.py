"""Segments in the PostgreSQL store: the client-features document's shared constraints.

A strategy names segments by id (`"segments": [1, 2]`) and is on only where
every one of their constraints holds; the definitions travel beside the
features, at the top of the document. The store keeps each one, as given, in
the `segments` table, audited (`kind` `segment`, keyed by the id) and
notified like a feature change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from flags.backends.audit import record_change
from flags.backends.tables import DEFAULT_SCHEMA, table
from flags.parsing import parse_segment


def plain_json(value: Any) -> Any:
    """A deep copy of `value` made of dicts and lists only (what `Jsonb` can dump)."""
    if isinstance(value, Mapping):
        return {str(k): plain_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_json(v) for v in value]
    return value


def upsert_segment(
    conn: psycopg.Connection[Any],
    segment: Mapping[str, Any],
    *,
    actor: str,
    reason: str | None,
    schema: str = DEFAULT_SCHEMA,
) -> int | None:
    """Create or replace one segment (validated first) in the caller's transaction.

    Returns the new state version, or None if the stored segment was already
    exactly this one (nothing written). The tables must exist (`ensure_tables`).
    Raises `FlagDefinitionError` if `segment` is not a valid segment.
    """
    parsed = parse_segment(segment)
    definition: dict[str, Any] = plain_json(segment)
    with conn.transaction():
        row = conn.execute(
            sql.SQL("SELECT definition FROM {} WHERE id = %s FOR UPDATE").format(
                table(schema, "segments")
            ),
            (parsed.id,),
        ).fetchone()
        old = None if row is None else dict(row[0])
        if old == definition:
            return None
        conn.execute(
            sql.SQL(
                "INSERT INTO {} (id, definition) VALUES (%s, %s) ON CONFLICT (id)"
                " DO UPDATE SET definition = EXCLUDED.definition, updated_at = now()"
            ).format(table(schema, "segments")),
            (parsed.id, Jsonb(definition)),
        )
        return record_change(
            conn,
            schema,
            subject=str(parsed.id),
            old=old,
            new=definition,
            actor=actor,
            reason=reason,
            kind="segment",
        )
