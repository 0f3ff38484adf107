"""Results of the snapshot commands, as data for the renderers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from migsafe.results import AsDict, plain

if TYPE_CHECKING:
    from migsafe.snapshots.checks import Check
    from migsafe.snapshots.model import Snapshot
    from migsafe.snapshots.prune import PrunePlan
    from migsafe.snapshots.store import Leftover


@dataclass(frozen=True)
class SnapshotList(AsDict):
    store: str
    snapshots: tuple[Snapshot, ...]
    leftovers: tuple[Leftover, ...] = ()  # files interrupted runs left; prune removes them


@dataclass(frozen=True)
class VerifyOutcome(AsDict):
    """What ``verify`` found: the checks that ran, and the catalog entry with its new status."""

    ok: bool
    snapshot: Snapshot
    checks: tuple[Check, ...]


@dataclass(frozen=True)
class RestoreOutcome:
    """What a restore did, and what it left as it was (flags, their audit, migsafe's history).

    The one result of a restore, whichever backend did it; what the backend itself reports
    (pg_restore's drops, for one) is :class:`~migsafe.snapshots.restore.RestoreResult` or
    :class:`~migsafe.snapshots.sqlite.SqliteRestore`.
    """

    snapshot: Snapshot
    into: str | None
    at_revisions: tuple[str, ...]
    duration_s: float
    run_id: str | None
    # In place: migsafe's schemas (PostgreSQL) or tables (SQLite) left as they are; --into:
    # the schemas the copy does not hold (snapshots leave them out).
    kept: tuple[str, ...] = ()
    recreated_triggers: tuple[str, ...] = ()  # "schema.table.trigger": flags triggers kept
    dropped_triggers: tuple[str, ...] = ()  # not there afterwards (see restore.RestoreResult)
    source: str | None = None  # the database the snapshot was taken of
    other_database: str | None = None  # the target, when it was another one (allowed)

    @property
    def untouched(self) -> str | None:
        """The sentence saying what an in-place restore did not touch."""
        # Here, not above: kept imports the flags package (~0.15 s), which `snapshot list` skips.
        from migsafe.snapshots.kept import LEFT_AS_THEY_ARE

        return None if self.into else LEFT_AS_THEY_ARE

    def to_dict(self) -> dict[str, Any]:
        """Written by hand: the snapshot is named by its id and mode, and the keys the restore
        computes (the writes lost since, what was left as it was, the triggers dropped and
        recreated) depend on whether it went ``--into`` a new database."""
        return {
            "snapshot": self.snapshot.id,
            "mode": self.snapshot.mode.value,
            "into": self.into,
            "at": list(self.at_revisions),
            "duration_s": self.duration_s,
            "run_id": self.run_id,
            "lost_writes_after": None if self.into else self.snapshot.created_at,
            "source": self.source,
            "other_database": self.other_database,
            "left_as_they_are": None
            if self.into
            else {"note": self.untouched, "kept": list(self.kept)},
            "not_in_copy": list(self.kept) if self.into else None,
            "recreated_triggers": list(self.recreated_triggers),
            "dropped_triggers": list(self.dropped_triggers),
        }


@dataclass(frozen=True)
class PruneOutcome:
    plan: PrunePlan
    dry_run: bool
    freed_bytes: int
    leftovers: tuple[Leftover, ...] = ()  # removed (or, dry run, to be removed)

    def to_dict(self) -> dict[str, Any]:
        """Written by hand: the prune plan is flattened to the ids it deletes and keeps."""
        return {
            "dry_run": self.dry_run,
            "delete": [s.id for s in self.plan.delete],
            "keep": [s.id for s in self.plan.keep],
            "reasons": dict(self.plan.reasons),
            "freed_bytes": self.freed_bytes,
            "leftovers": plain(self.leftovers),
        }
