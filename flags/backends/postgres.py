"""Flags stored in the application's own PostgreSQL database.

Four tables in one schema (default `migsafe_flags`): `features` holds each flag
as its Unleash client-features JSON, exactly as given, `segments` the document's
top-level segments, `state` holds a single `version` bumped by every change, and
`audit` records who changed what, when, from what, to what and why. A change
that depends on the current definition (`update`) reads it under the row lock,
so a concurrent change is never overwritten with a stale copy. A change, its
audit row and its `pg_notify` happen in one transaction, so a
change made inside a migration's transaction reaches clients only on commit
(PostgreSQL delivers notifications at commit and drops them on rollback).
The tables are created on the first write (see `tables`), under a
transaction-level advisory lock so that two processes starting together do not
race. A client's `Snapshot` adds the Alembic heads, for revision-bound flags.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from flags.backends.alembic_version import TriggerStatus, VersionTable, read_heads
from flags.backends.audit import read_history, record_change
from flags.backends.base import AuditEntry, FeatureUpdate, FlagExists, FlagNotFound, Snapshot
from flags.backends.notify import CHANNEL
from flags.backends.segments import plain_json, upsert_segment
from flags.backends.tables import DEFAULT_SCHEMA, ensure_tables, table
from flags.errors import FlagDefinitionError
from flags.parsing import parse_feature
from flags.revisions.requirement import with_required_revision

__all__ = [
    "CHANNEL",
    "CONNECT_TIMEOUT",
    "DEFAULT_SCHEMA",
    "PostgresStore",
    "conninfo",
    "create_feature",
    "empty_document",
    "ensure_tables",
    "load_snapshot",
    "load_state",
    "read_history",
    "set_feature_enabled",
    "set_feature_requirement",
    "update_feature",
    "upsert_feature",
    "upsert_segment",
]

CONNECT_TIMEOUT = 5

_DRIVER = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9.-]*)\+[^:/]+://")


def conninfo(url: str) -> str:
    """A libpq URL for `url`, which may be a SQLAlchemy one (`postgresql+psycopg://...`)."""
    return _DRIVER.sub(lambda m: f"{m['scheme']}://", url, count=1)


def empty_document() -> dict[str, Any]:
    """The client-features document of a store with no flags."""
    return {"version": 2, "features": [], "segments": []}


def load_state(
    conn: psycopg.Connection[Any], schema: str = DEFAULT_SCHEMA
) -> tuple[int, dict[str, Any]]:
    """The state version and client-features document, read in one statement (one snapshot).

    Features come sorted by name (bytewise, whatever the database's collation), segments
    by id. A database whose tables do not exist yet holds no flags: `(0, empty document)`.
    """
    query = sql.SQL(
        "SELECT (SELECT version FROM {state}),"
        ' COALESCE((SELECT jsonb_agg(definition ORDER BY name COLLATE "C") FROM {features}),'
        " '[]'::jsonb),"
        " COALESCE((SELECT jsonb_agg(definition ORDER BY id) FROM {segments}), '[]'::jsonb)"
    ).format(
        state=table(schema, "state"),
        features=table(schema, "features"),
        segments=table(schema, "segments"),
    )
    try:
        with conn.transaction():
            row = conn.execute(query).fetchone()
    except psycopg.errors.UndefinedTable:
        return _load_state_before_segments(conn, schema)
    assert row is not None
    version, features, segments = row
    return int(version or 0), {
        **empty_document(),
        "features": list(features),
        "segments": list(segments),
    }


def _load_state_before_segments(
    conn: psycopg.Connection[Any], schema: str
) -> tuple[int, dict[str, Any]]:
    # A store made before segments were kept and not written since still has its flags.
    query = sql.SQL(
        "SELECT (SELECT version FROM {state}),"
        ' COALESCE((SELECT jsonb_agg(definition ORDER BY name COLLATE "C") FROM {features}),'
        " '[]'::jsonb)"
    ).format(state=table(schema, "state"), features=table(schema, "features"))
    try:
        with conn.transaction():
            row = conn.execute(query).fetchone()
    except psycopg.errors.UndefinedTable:
        return 0, empty_document()
    assert row is not None
    version, features = row
    return int(version or 0), {**empty_document(), "features": list(features)}


def load_snapshot(
    conn: psycopg.Connection[Any],
    schema: str = DEFAULT_SCHEMA,
    version_table: VersionTable | None = None,
) -> Snapshot:
    """The flags (as `load_state`) and the Alembic heads (None if unreadable) in one read."""
    version, document = load_state(conn, schema)
    return Snapshot(version, document, read_heads(conn, version_table or VersionTable()))


def _validated(feature: Mapping[str, Any]) -> dict[str, Any]:
    """`feature` as plain JSON, exactly as given, once it parses as a client-features feature."""
    parse_feature(feature)
    definition: dict[str, Any] = plain_json(feature)
    return definition


def upsert_feature(
    conn: psycopg.Connection[Any],
    feature: Mapping[str, Any],
    *,
    actor: str,
    reason: str | None,
    schema: str = DEFAULT_SCHEMA,
    version_table: VersionTable | None = None,
) -> int:
    """Create or replace one feature (validated first); returns the new state version.

    The definition is stored as given (keys and defaults left out stay so), so
    that a document read back is the one written. Raises `FlagDefinitionError`
    if `feature` is not a valid client-features feature.
    """
    definition = _validated(feature)
    name = definition["name"]
    ensure_tables(conn, schema, version_table)
    with conn.transaction():
        old = _current(conn, schema, name)
        conn.execute(
            sql.SQL(
                "INSERT INTO {} (name, definition) VALUES (%s, %s) ON CONFLICT (name)"
                " DO UPDATE SET definition = EXCLUDED.definition, updated_at = now()"
            ).format(table(schema, "features")),
            (name, Jsonb(definition)),
        )
        return record_change(
            conn, schema, subject=name, old=old, new=definition, actor=actor, reason=reason
        )


def create_feature(
    conn: psycopg.Connection[Any],
    feature: Mapping[str, Any],
    *,
    actor: str,
    reason: str | None,
    schema: str = DEFAULT_SCHEMA,
    version_table: VersionTable | None = None,
) -> int:
    """Add one feature that must not exist yet; returns the new state version.

    Atomic: of two creates of one name, however they interleave, one wins and
    the other raises `FlagExists` having written nothing.
    """
    definition = _validated(feature)
    name = definition["name"]
    ensure_tables(conn, schema, version_table)
    with conn.transaction():
        row = conn.execute(
            sql.SQL(
                "INSERT INTO {} (name, definition) VALUES (%s, %s)"
                " ON CONFLICT (name) DO NOTHING RETURNING name"
            ).format(table(schema, "features")),
            (name, Jsonb(definition)),
        ).fetchone()
        if row is None:
            raise FlagExists(name)
        return record_change(
            conn, schema, subject=name, old=None, new=definition, actor=actor, reason=reason
        )


def update_feature(
    conn: psycopg.Connection[Any],
    name: str,
    change: Callable[[dict[str, Any]], Mapping[str, Any]],
    *,
    actor: str,
    reason: str | None,
    schema: str = DEFAULT_SCHEMA,
    version_table: VersionTable | None = None,
) -> FeatureUpdate:
    """Rewrite one feature from its current definition, under its row lock.

    `change` gets a copy of the definition as it is once the lock is held (a
    concurrent change has committed or rolled back by then) and returns the new
    one; that is validated, written, audited and notified in the same
    transaction. A result equal to the current definition writes nothing
    (`version` None). Raises `FlagNotFound`, or `FlagDefinitionError` if the
    result is not a valid feature of the same name.
    """
    ensure_tables(conn, schema, version_table)
    with conn.transaction():
        old = _current(conn, schema, name)
        if old is None:
            raise FlagNotFound(name)
        new = _validated(change(plain_json(old)))
        if new.get("name") != name:
            raise FlagDefinitionError(f"a change may not rename {name!r}", "feature")
        if new == old:
            return FeatureUpdate(old, old, None)
        _write(conn, schema, name, new)
        version = record_change(
            conn, schema, subject=name, old=old, new=new, actor=actor, reason=reason
        )
        return FeatureUpdate(old, new, version)


def _write(conn: psycopg.Connection[Any], schema: str, name: str, new: Mapping[str, Any]) -> None:
    conn.execute(
        sql.SQL("UPDATE {} SET definition = %s, updated_at = now() WHERE name = %s").format(
            table(schema, "features")
        ),
        (Jsonb(new), name),
    )


def set_feature_enabled(
    conn: psycopg.Connection[Any],
    name: str,
    enabled: bool,
    *,
    actor: str,
    reason: str | None,
    schema: str = DEFAULT_SCHEMA,
    version_table: VersionTable | None = None,
) -> int:
    """Switch one feature on or off; returns the new state version. Raises `FlagNotFound`."""
    ensure_tables(conn, schema, version_table)
    with conn.transaction():
        old = _current(conn, schema, name)
        if old is None:
            raise FlagNotFound(name)
        new = {**old, "enabled": enabled}
        _write(conn, schema, name, new)
        return record_change(
            conn, schema, subject=name, old=old, new=new, actor=actor, reason=reason
        )


def set_feature_requirement(
    conn: psycopg.Connection[Any],
    name: str,
    revision: str | None,
    *,
    actor: str,
    reason: str | None,
    schema: str = DEFAULT_SCHEMA,
    version_table: VersionTable | None = None,
) -> int:
    """Make one feature require Alembic `revision` (None: no longer); returns the new version.

    Raises `FlagNotFound`, or `ValueError` for an empty revision.
    """
    if revision is not None and not revision.strip():
        raise ValueError("a required revision cannot be empty; pass None to remove it")
    ensure_tables(conn, schema, version_table)
    with conn.transaction():
        old = _current(conn, schema, name)
        if old is None:
            raise FlagNotFound(name)
        new = with_required_revision(old, None if revision is None else revision.strip())
        _write(conn, schema, name, new)
        return record_change(
            conn, schema, subject=name, old=old, new=new, actor=actor, reason=reason
        )


def _current(conn: psycopg.Connection[Any], schema: str, name: str) -> dict[str, Any] | None:
    # FOR UPDATE: two concurrent changes to one flag must not both read the same "old".
    row = conn.execute(
        sql.SQL("SELECT definition FROM {} WHERE name = %s FOR UPDATE").format(
            table(schema, "features")
        ),
        (name,),
    ).fetchone()
    return None if row is None else dict(row[0])


class PostgresStore:
    """Flags in a PostgreSQL database; each call uses its own short connection.

    Pass `conn=` to a change to make it inside that connection's transaction
    instead (e.g. a migration's): it is then visible, and notified, on commit.
    """

    def __init__(
        self,
        url: str,
        schema: str = DEFAULT_SCHEMA,
        *,
        version_table: VersionTable | None = None,
    ) -> None:
        self.conninfo = conninfo(url)
        self.schema = schema
        self.version_table = version_table or VersionTable()
        """The Alembic version table whose heads gate revision-bound flags."""

    def connect(self, **kwargs: Any) -> psycopg.Connection[Any]:
        """A new autocommit connection to the store's database."""
        kwargs.setdefault("connect_timeout", CONNECT_TIMEOUT)
        return psycopg.connect(self.conninfo, autocommit=True, **kwargs)

    @contextmanager
    def _connection(
        self, conn: psycopg.Connection[Any] | None
    ) -> Iterator[psycopg.Connection[Any]]:
        if conn is not None:
            yield conn
            return
        with self.connect() as own:
            yield own

    def init(self) -> TriggerStatus:
        """Create the schema and tables if missing, and the notify trigger on the version table.

        Returns what became of the trigger: it needs the version table to exist
        and this role to own it; without it, clients see schema changes at their
        next poll instead of at once.
        """
        with self._connection(None) as conn:
            return ensure_tables(conn, self.schema, self.version_table)

    def load(self) -> tuple[int, dict[str, Any]]:
        """The state version and the client-features document."""
        with self._connection(None) as conn:
            return load_state(conn, self.schema)

    def snapshot(self) -> Snapshot:
        """The state version, the client-features document and the Alembic heads."""
        with self._connection(None) as conn:
            return load_snapshot(conn, self.schema, self.version_table)

    def upsert(
        self,
        feature: Mapping[str, Any],
        *,
        actor: str,
        reason: str | None = None,
        conn: psycopg.Connection[Any] | None = None,
    ) -> int:
        """Create or replace one feature; returns the new state version."""
        with self._connection(conn) as c:
            return upsert_feature(
                c,
                feature,
                actor=actor,
                reason=reason,
                schema=self.schema,
                version_table=self.version_table,
            )

    def create(
        self,
        feature: Mapping[str, Any],
        *,
        actor: str,
        reason: str | None = None,
        conn: psycopg.Connection[Any] | None = None,
    ) -> int:
        """Add one feature that must not exist yet; returns the new state version.

        Raises `FlagExists` (nothing written) if a feature of that name exists,
        even one created a moment ago by a concurrent transaction.
        """
        with self._connection(conn) as c:
            return create_feature(
                c,
                feature,
                actor=actor,
                reason=reason,
                schema=self.schema,
                version_table=self.version_table,
            )

    def update(
        self,
        name: str,
        change: Callable[[dict[str, Any]], Mapping[str, Any]],
        *,
        actor: str,
        reason: str | None = None,
        conn: psycopg.Connection[Any] | None = None,
    ) -> FeatureUpdate:
        """Rewrite one feature from its current definition, atomically (see `update_feature`).

        `change` maps the definition, read under the row lock, to the new one; a
        concurrent change is never lost or undone by it.
        """
        with self._connection(conn) as c:
            return update_feature(
                c,
                name,
                change,
                actor=actor,
                reason=reason,
                schema=self.schema,
                version_table=self.version_table,
            )

    def upsert_segment(
        self,
        segment: Mapping[str, Any],
        *,
        actor: str,
        reason: str | None = None,
        conn: psycopg.Connection[Any] | None = None,
    ) -> int | None:
        """Create or replace one segment; the new state version, None if it was already so."""
        with self._connection(conn) as c:
            ensure_tables(c, self.schema, self.version_table)
            return upsert_segment(c, segment, actor=actor, reason=reason, schema=self.schema)

    def set_enabled(
        self,
        name: str,
        enabled: bool,
        *,
        actor: str,
        reason: str | None = None,
        conn: psycopg.Connection[Any] | None = None,
    ) -> int:
        """Switch one feature on or off; returns the new state version."""
        with self._connection(conn) as c:
            return set_feature_enabled(
                c,
                name,
                enabled,
                actor=actor,
                reason=reason,
                schema=self.schema,
                version_table=self.version_table,
            )

    def require(
        self,
        name: str,
        revision: str | None,
        *,
        actor: str,
        reason: str | None = None,
        conn: psycopg.Connection[Any] | None = None,
    ) -> int:
        """Make one feature require an Alembic revision (None removes it); returns the version.

        The flag is then on only where that revision is applied; see `flags.revisions`.
        """
        with self._connection(conn) as c:
            return set_feature_requirement(
                c,
                name,
                revision,
                actor=actor,
                reason=reason,
                schema=self.schema,
                version_table=self.version_table,
            )

    def history(self, name: str) -> list[AuditEntry]:
        """The audit entries of flag `name`, oldest first."""
        with self._connection(None) as conn:
            return read_history(conn, name, self.schema)

    def segment_history(self, segment_id: int) -> list[AuditEntry]:
        """The audit entries of segment `segment_id`, oldest first."""
        with self._connection(None) as conn:
            return read_history(conn, str(segment_id), self.schema, kind="segment")
