"""The catalog entry of a snapshot, and the storage interface snapshots live behind."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from migsafe.results import AsDict
from migsafe.stored_enums import StoredStrEnum


class SnapshotStatus(StoredStrEnum):
    """Whether a snapshot is known to restore, as stored in its catalog entry."""

    UNVERIFIED = "unverified"
    VERIFIED = "verified"  # checksum, readable archive, expected tables present
    RESTORE_VERIFIED = "restore-verified"  # also restored into a scratch database and compared
    FAILED = "failed"


class SnapshotMode(StrEnum):
    """What a snapshot holds: the whole database, or only some tables."""

    FULL = "full"
    TABLES = "tables"


@dataclass(frozen=True)
class KeptTrigger:
    """A trigger on a dumped table whose function lives in a schema snapshots leave out.

    The flags notify trigger on the version table is one (see
    :mod:`~migsafe.snapshots.kept`): it belongs to the flags, not to the application's data.
    """

    schema: str
    table: str
    name: str

    @property
    def tag(self) -> str:
        """How ``pg_restore --list`` names it: the table, a space, the trigger."""
        return f"{self.table} {self.name}"

    def describe(self) -> str:
        return f"trigger {self.name} on {self.schema}.{self.table}"


@dataclass(frozen=True)
class Snapshot(AsDict):
    """One snapshot: what it holds, where it came from, and whether it is known to restore."""

    id: str
    database: str  # redacted URL
    backend: str  # "postgresql" | "sqlite"
    mode: SnapshotMode
    tables: tuple[str, ...]  # "schema.table" (SQLite: "main.table") the snapshot holds
    revisions: tuple[str, ...]  # Alembic heads at the time
    created_at: str  # ISO 8601, UTC
    file: str  # file name inside the store
    size: int
    sha256: str
    server_version: str | None = None
    tool_version: str | None = None  # "pg_dump (PostgreSQL) 15.18" or "sqlite3 3.40.1"
    compression: int | None = None
    run_id: str | None = None
    status: SnapshotStatus = SnapshotStatus.UNVERIFIED
    status_detail: str | None = None
    verified_at: str | None = None
    # Recorded at dump time, in the same database snapshot pg_dump read, for verify --restore.
    schema_fingerprint: str | None = None
    table_checksums: Mapping[str, str] = field(default_factory=dict)
    row_counts: Mapping[str, int] = field(default_factory=dict)
    # Tables mode: tables the migrations were about to create, absent from the snapshot; a
    # restore drops them so the database is as it was (and a re-run can create them again).
    created: tuple[str, ...] = ()
    # migsafe's own schemas (history, flags, archive), left out of the dump; () in entries
    # written before they were left out: such a full dump may hold them.
    kept_schemas: tuple[str, ...] = ()
    # Triggers the dump holds whose function lives in a kept schema, so not in the dump.
    kept_triggers: tuple[KeptTrigger, ...] = ()
    # Which database it was taken of, beyond its URL (None in older entries). PostgreSQL: the
    # cluster's pg_control_system().system_identifier (None if not readable), the database's
    # name and oid. SQLite: the database file's absolute path.
    source_system: str | None = None
    source_database: str | None = None
    source_database_oid: int | None = None

    def with_status(self, status: SnapshotStatus, detail: str | None = None) -> Snapshot:
        return replace(
            self,
            status=status,
            status_detail=detail,
            verified_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Snapshot:
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        values["mode"] = SnapshotMode(values["mode"])
        if "status" in values:
            values["status"] = SnapshotStatus(values["status"])
        values["tables"] = tuple(values.get("tables", ()))
        values["revisions"] = tuple(values.get("revisions", ()))
        values["created"] = tuple(values.get("created", ()))
        values["kept_schemas"] = tuple(values.get("kept_schemas", ()))
        values["kept_triggers"] = tuple(
            KeptTrigger(str(t["schema"]), str(t["table"]), str(t["name"]))
            for t in values.get("kept_triggers", ())
        )
        return cls(**values)


class SnapshotStore(Protocol):
    """Where snapshot files and their catalog entries live (local directory; later S3 etc.).

    Writers get a temporary path, write and fsync there, then ``commit`` makes the snapshot
    visible atomically: a partial file is never registered.
    """

    def temp_path(self, snapshot_id: str) -> Path:
        """A private path to write the snapshot file to; ``discard`` or ``commit`` it."""
        ...

    def commit(self, snapshot: Snapshot, written: Path) -> Snapshot:
        """Move ``written`` into place and register ``snapshot`` (atomic, durable)."""
        ...

    def discard(self, written: Path) -> None:
        """Remove a temporary file that will not be committed."""
        ...

    def list(self) -> list[Snapshot]:
        """Every registered snapshot, newest first."""
        ...

    def get(self, snapshot_id: str) -> Snapshot:
        """The snapshot with this id or unique id prefix; SnapshotNotFound otherwise."""
        ...

    def local_path(self, snapshot: Snapshot) -> Path:
        """A local file holding the snapshot's bytes (downloaded first by remote stores)."""
        ...

    def update(self, snapshot: Snapshot) -> None:
        """Rewrite a snapshot's catalog entry (e.g. its verification status)."""
        ...

    def delete(self, snapshot: Snapshot) -> None:
        """Remove the snapshot's file and catalog entry."""
        ...
