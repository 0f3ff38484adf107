"""The archive: data kept by reverse scripts, listed and pruned after the retention window.

Every archived column or table is recorded with the revision that made it (``archives`` of a
``migsafe_reverse`` row), so the list says what it is, where it came from and until when it
is kept. Pruning drops archive tables older than the retention window (7 days by default) and
marks the rows whose revert would have put them back, so that such a revert refuses with the
reason instead of silently coming back without the data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from migsafe.engine.session import Session
from migsafe.results import OMIT, to_dict
from migsafe.reverse import store


@dataclass(frozen=True)
class ArchiveEntry:
    """One archived column or table."""

    archive_schema: str | None  # None on SQLite (archives are tables of the main database)
    archive_table: str
    kind: str  # "column" | "table"
    source: str  # schema.table[.column] the data came from
    revision: str
    run_id: str
    made_by: str  # "upgrade": kept for the revert; "revert": what the revert removed
    created_at: dt.datetime
    exists: bool
    rows: int | None
    bytes: int | None
    needed: bool  # a revert not yet run would put it back
    reverse_id: int | None = field(default=None, metadata=OMIT)

    def expires_at(self, retention_s: float) -> dt.datetime:
        return self.created_at + dt.timedelta(seconds=retention_s)

    def to_dict(self, retention_s: float) -> dict[str, Any]:
        """Its fields, and when it expires under *retention_s*."""
        return {**to_dict(self), "expires_at": self.expires_at(retention_s).isoformat()}


@dataclass(frozen=True)
class ArchiveList:
    database: str
    retention_s: float
    entries: tuple[ArchiveEntry, ...]

    def to_dict(self) -> dict[str, Any]:
        """Written by hand: each entry's expiry needs the retention window."""
        return {
            "database": self.database,
            "retention_s": self.retention_s,
            "archives": [e.to_dict(self.retention_s) for e in self.entries],
        }


@dataclass(frozen=True)
class ArchivePruneResult:
    database: str
    retention_s: float
    dropped: tuple[ArchiveEntry, ...]
    kept: tuple[ArchiveEntry, ...]
    dry_run: bool

    def to_dict(self) -> dict[str, Any]:
        """Written by hand: each entry's expiry needs the retention window."""
        return {
            "database": self.database,
            "dry_run": self.dry_run,
            "retention_s": self.retention_s,
            "dropped": [e.to_dict(self.retention_s) for e in self.dropped],
            "kept": [e.to_dict(self.retention_s) for e in self.kept],
        }


def list_archives(session: Session) -> ArchiveList:
    """Every archive the history knows, oldest first, with its size if it still exists."""
    retention = session.settings.archive_retention
    with session.aux() as conn:
        rows = store.with_archives(conn, session.history.schema)
        reverted_at = _revert_times(conn, session, rows)
        entries = [
            _entry(conn, row, archive, reverted_at)
            for row in rows
            for archive in row.archives
            if archive.get("when") != "revert" or row.reverted_by is not None
        ]
    return ArchiveList(session.database, retention, tuple(entries))


def prune(session: Session, *, older_than: float | None, dry_run: bool) -> ArchivePruneResult:
    """Drop archives older than the retention window (or *older_than* seconds)."""
    listed = list_archives(session)
    window = listed.retention_s if older_than is None else older_than
    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=window)
    due = [e for e in listed.entries if e.exists and e.created_at <= cutoff]
    kept = [e for e in listed.entries if e.exists and e not in due]
    if not dry_run and due:
        # On the session's own connection, in one transaction: the drops and the marks on
        # the reverses that needed them commit together. (The runner lock's connection is
        # in autocommit mode and cannot begin one.)
        conn = session.conn
        if conn.in_transaction():
            conn.rollback()
        with conn.begin():
            for entry in due:
                conn.execute(sa.schema.DropTable(_table(entry), if_exists=True))
            ids = [e.reverse_id for e in due if e.needed and e.reverse_id is not None]
            if ids:
                store.mark_pruned(conn, session.history.schema, ids)
    return ArchivePruneResult(session.database, window, tuple(due), tuple(kept), dry_run)


def _table(entry: ArchiveEntry) -> sa.Table:
    return sa.Table(entry.archive_table, sa.MetaData(), schema=entry.archive_schema)


def _entry(
    conn: sa.Connection,
    row: store.StoredReverse,
    archive: dict[str, Any],
    reverted_at: dict[str, dt.datetime],
) -> ArchiveEntry:
    schema = None if conn.dialect.name == "sqlite" else archive.get("archive_schema")
    name = str(archive["archive_table"])
    made_by = str(archive.get("when", "upgrade"))
    created = row.applied_at
    if made_by == "revert" and row.reverted_by in reverted_at:
        created = reverted_at[row.reverted_by]
    if created.tzinfo is None:  # SQLite returns naive datetimes (stored in UTC)
        created = created.replace(tzinfo=dt.UTC)
    exists, count, size = _size(conn, schema, name)
    source = (
        f"{archive.get('schema')}.{archive.get('table')}"
        if archive.get("schema")
        else str(archive.get("table"))
    )
    if archive.get("kind") == "column":
        source += f".{archive.get('column')}"
    return ArchiveEntry(
        archive_schema=schema,
        archive_table=name,
        kind=str(archive.get("kind", "table")),
        source=source,
        revision=row.revision,
        run_id=row.run_id,
        made_by=made_by,
        created_at=created,
        exists=exists,
        rows=count,
        bytes=size,
        needed=made_by == "upgrade" and row.reverted_by is None,
        reverse_id=row.id,
    )


def _size(
    conn: sa.Connection, schema: str | None, name: str
) -> tuple[bool, int | None, int | None]:
    if not sa.inspect(conn).has_table(name, schema=schema):
        return False, None, None
    count = conn.execute(sa.select(sa.func.count()).select_from(sa.table(name, schema=schema)))
    rows = int(count.scalar() or 0)
    size: int | None = None
    if conn.dialect.name == "postgresql":
        prep = conn.dialect.identifier_preparer
        qualified = (
            f"{prep.quote_schema(schema)}.{prep.quote(name)}" if schema else prep.quote(name)
        )
        size = conn.execute(
            sa.text("SELECT pg_total_relation_size(to_regclass(:n))"), {"n": qualified}
        ).scalar()
    return True, rows, size


def _revert_times(
    conn: sa.Connection, session: Session, rows: list[store.StoredReverse]
) -> dict[str, dt.datetime]:
    ids = {r.reverted_by for r in rows if r.reverted_by}
    if not ids:
        return {}
    table = session.history.table
    found = conn.execute(
        sa.select(table.c.run_id, table.c.started_at).where(table.c.run_id.in_(sorted(ids)))
    )
    return {run_id: started for run_id, started in found}
