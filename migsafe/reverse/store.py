"""Reverse scripts as stored with the run: one row per revision applied.

A row is written on the migration's own connection, in the transaction that applied the
revision, so it exists exactly when the revision's changes do: a rolled-back step leaves no
row, and a committed one always has its reverse. It holds everything ``migsafe revert`` needs
without the migration files: the SQL to run, the heads before and after, the schema
fingerprint to expect afterwards, and where the kept data is.
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from migsafe.results import OMIT, AsDict

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")


class ReverseSource(StrEnum):
    """How a revision can be undone, as stored in ``source`` (and, for a revert, how it is)."""

    GENERATED = "generated"  # the SQL in ``sql`` undoes it exactly (with ``caveats``)
    DOWNGRADE = "downgrade"  # irreversible ops; its own downgrade() was tested and is the reverse
    IRREVERSIBLE = "irreversible"  # allowed by --allow-irreversible or --backup: snapshot only


@lru_cache(maxsize=8)
def reverse_table(schema: str | None) -> sa.Table:
    metadata = sa.MetaData(schema=schema)
    return sa.Table(
        "migsafe_reverse",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),  # order within the run
        sa.Column("revision", sa.String(255), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heads_before", _JSON, nullable=False),
        sa.Column("heads_after", _JSON, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("sql", _JSON, nullable=False),  # statements, in the order they undo it
        sa.Column("operations", _JSON),  # the reverse operations, described
        sa.Column("archives", _JSON),  # where kept data went
        sa.Column("irreversible", _JSON),  # reasons, when source is not "generated"
        sa.Column("caveats", _JSON),
        sa.Column("schema_before", sa.String(64)),  # fingerprints, where taken
        sa.Column("schema_after", sa.String(64)),
        sa.Column("reverted_by", sa.String(32)),
        sa.Column("archives_pruned_at", sa.DateTime(timezone=True)),
        # The schema description behind schema_before, compressed JSON: a revert that does
        # not come back to it says what differs. Only where schema_before is taken (the
        # first row of each transaction, and before a step a downgrade() may undo).
        sa.Column("schema_before_doc", sa.LargeBinary),
        sa.Index("ix_migsafe_reverse_revision", "revision"),
    )


#: Columns read with every row; the description is read only when a revert needs it.
_LIGHT = (
    "id",
    "run_id",
    "seq",
    "revision",
    "applied_at",
    "heads_before",
    "heads_after",
    "source",
    "sql",
    "operations",
    "archives",
    "irreversible",
    "caveats",
    "schema_before",
    "schema_after",
    "reverted_by",
    "archives_pruned_at",
)


def _light(t: sa.Table) -> sa.Select[Any]:
    return sa.select(*(t.c[name] for name in _LIGHT))


def pack_description(description: dict[str, Any]) -> bytes:
    """A schema description as stored: compact JSON, zlib-compressed (a few KB per table)."""
    text = json.dumps(description, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return zlib.compress(text.encode("utf-8"), 6)


def unpack_description(blob: bytes) -> dict[str, Any]:
    value = json.loads(zlib.decompress(blob).decode("utf-8"))
    assert isinstance(value, dict)
    return value


def schema_before_description(
    conn: sa.Connection, schema: str | None, row_id: int
) -> dict[str, Any] | None:
    """The description stored with row *row_id*; None when there is none (a row written by
    an older migsafe, or one whose table has no such column yet)."""
    t = reverse_table(schema)
    columns = {c["name"] for c in sa.inspect(conn).get_columns(t.name, schema=schema)}
    if "schema_before_doc" not in columns:
        return None
    blob = conn.execute(sa.select(t.c.schema_before_doc).where(t.c.id == row_id)).scalar()
    return unpack_description(bytes(blob)) if blob is not None else None


@dataclass(frozen=True)
class StoredReverse(AsDict):
    """One stored row, as data."""

    run_id: str
    seq: int
    revision: str
    applied_at: dt.datetime
    heads_before: tuple[str, ...]
    heads_after: tuple[str, ...]
    source: ReverseSource
    sql: tuple[str, ...]
    operations: tuple[dict[str, Any], ...] = ()
    archives: tuple[dict[str, Any], ...] = ()
    irreversible: tuple[str, ...] = ()
    caveats: tuple[str, ...] = ()
    schema_before: str | None = None
    schema_after: str | None = None
    reverted_by: str | None = None
    archives_pruned_at: dt.datetime | None = None
    id: int | None = field(default=None, compare=False)
    # Written with the row, never read back with it (see schema_before_description).
    schema_before_doc: bytes | None = field(default=None, compare=False, repr=False, metadata=OMIT)


def row_values(row: StoredReverse) -> dict[str, Any]:
    return {
        "run_id": row.run_id,
        "seq": row.seq,
        "revision": row.revision,
        "applied_at": row.applied_at,
        "heads_before": list(row.heads_before),
        "heads_after": list(row.heads_after),
        "source": row.source,
        "sql": list(row.sql),
        "operations": list(row.operations),
        "archives": list(row.archives),
        "irreversible": list(row.irreversible),
        "caveats": list(row.caveats),
        "schema_before": row.schema_before,
        "schema_after": row.schema_after,
        "schema_before_doc": row.schema_before_doc,
    }


def from_row(m: Any) -> StoredReverse:
    def tup(value: Any) -> tuple[Any, ...]:
        return tuple(value or ())

    return StoredReverse(
        id=m["id"],
        run_id=m["run_id"],
        seq=m["seq"],
        revision=m["revision"],
        applied_at=m["applied_at"],
        heads_before=tup(m["heads_before"]),
        heads_after=tup(m["heads_after"]),
        source=ReverseSource(m["source"]),
        sql=tup(m["sql"]),
        operations=tup(m["operations"]),
        archives=tup(m["archives"]),
        irreversible=tup(m["irreversible"]),
        caveats=tup(m["caveats"]),
        schema_before=m["schema_before"],
        schema_after=m["schema_after"],
        reverted_by=m["reverted_by"],
        archives_pruned_at=m["archives_pruned_at"],
    )


def insert(conn: sa.Connection, schema: str | None, rows: Sequence[StoredReverse]) -> None:
    """Store *rows* on *conn* (the migration's connection, inside its transaction)."""
    if rows:
        conn.execute(reverse_table(schema).insert(), [row_values(r) for r in rows])


def applied(conn: sa.Connection, schema: str | None) -> list[StoredReverse]:
    """Rows not reverted yet, oldest first: the revisions as they were applied."""
    t = reverse_table(schema)
    if not sa.inspect(conn).has_table(t.name, schema=schema):
        return []
    rows = conn.execute(
        _light(t).where(t.c.reverted_by.is_(None)).order_by(t.c.applied_at, t.c.run_id, t.c.seq)
    ).mappings()
    return [from_row(r) for r in rows]


def of_revision(conn: sa.Connection, schema: str | None, revision: str) -> list[StoredReverse]:
    """Every stored application of *revision* (or revisions it is a unique prefix of), newest
    first."""
    t = reverse_table(schema)
    if not sa.inspect(conn).has_table(t.name, schema=schema):
        return []
    rows = conn.execute(
        _light(t)
        .where(t.c.revision.startswith(revision, autoescape=True))
        .order_by(t.c.applied_at.desc(), t.c.seq.desc())
    ).mappings()
    return [from_row(r) for r in rows]


def revisions(conn: sa.Connection, schema: str | None) -> set[str]:
    """Every revision a reverse is stored for (to suggest the closest to a mistyped one)."""
    t = reverse_table(schema)
    if not sa.inspect(conn).has_table(t.name, schema=schema):
        return set()
    return set(conn.execute(sa.select(t.c.revision).distinct()).scalars())


def with_archives(conn: sa.Connection, schema: str | None) -> list[StoredReverse]:
    """Rows that kept data, oldest first (for ``archive list``/``prune``)."""
    t = reverse_table(schema)
    if not sa.inspect(conn).has_table(t.name, schema=schema):
        return []
    rows = conn.execute(_light(t).order_by(t.c.applied_at, t.c.seq)).mappings()
    return [r for r in (from_row(m) for m in rows) if r.archives]


def mark_reverted(
    conn: sa.Connection, schema: str | None, ids: Sequence[int], by_run_id: str
) -> None:
    t = reverse_table(schema)
    conn.execute(t.update().where(t.c.id.in_(list(ids))).values(reverted_by=by_run_id))


def mark_pruned(conn: sa.Connection, schema: str | None, ids: Sequence[int]) -> None:
    t = reverse_table(schema)
    now = dt.datetime.now(dt.UTC)
    conn.execute(t.update().where(t.c.id.in_(list(ids))).values(archives_pruned_at=now))


def mark_superseded(conn: sa.Connection, schema: str | None, since: dt.datetime, by: str) -> int:
    """A snapshot taken at *since* was restored in place: what was applied after it is gone,
    so its stored reverses must never run. Returns how many rows that was."""
    t = reverse_table(schema)
    if not sa.inspect(conn).has_table(t.name, schema=schema):
        return 0
    result = conn.execute(
        t.update()
        .where(t.c.reverted_by.is_(None), t.c.applied_at > since)
        .values(reverted_by=by[:32])
    )
    return int(result.rowcount or 0)
