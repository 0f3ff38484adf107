"""Results of the snapshot commands, as data for the renderers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from migsafe.snapshots.model import Snapshot
    from migsafe.snapshots.prune import PrunePlan
    from migsafe.snapshots.store import Leftover
    from migsafe.snapshots.verify import Check


@dataclass(frozen=True)
class SnapshotList:
    store: str
    snapshots: tuple[Snapshot, ...]
    leftovers: tuple[Leftover, ...] = ()  # files interrupted runs left; prune removes them

    def to_dict(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "snapshots": [s.to_dict() for s in self.snapshots],
            "leftovers": [_leftover(f) for f in self.leftovers],
        }


def _leftover(found: Leftover) -> dict[str, Any]:
    return {"file": found.name, "size": found.size, "what": found.what}


@dataclass(frozen=True)
class VerifyOutcome:
    snapshot: Snapshot
    ok: bool
    checks: tuple[Check, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "snapshot": self.snapshot.to_dict(),
            "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in self.checks],
        }


@dataclass(frozen=True)
class RestoreOutcome:
    snapshot: Snapshot
    into: str | None
    at_revisions: tuple[str, ...]
    duration_s: float
    run_id: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "snapshot": self.snapshot.id,
            "mode": self.snapshot.mode,
            "into": self.into,
            "at": list(self.at_revisions),
            "duration_s": self.duration_s,
            "run_id": self.run_id,
            "lost_writes_after": None if self.into else self.snapshot.created_at,
        }


@dataclass(frozen=True)
class PruneOutcome:
    plan: PrunePlan
    dry_run: bool
    freed_bytes: int
    leftovers: tuple[Leftover, ...] = ()  # removed (or, dry run, to be removed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "delete": [s.id for s in self.plan.delete],
            "keep": [s.id for s in self.plan.keep],
            "reasons": dict(self.plan.reasons),
            "freed_bytes": self.freed_bytes,
            "leftovers": [_leftover(f) for f in self.leftovers],
        }
