"""Which snapshots to delete: a pure policy (a plan) apart from its execution.

Snapshots are big, so old ones must go; but the one you may need to restore must not. Whatever
the rules say, the newest verified snapshot of each database is kept: pruning can never leave
a database without a snapshot known to be good. The plan is data, so ``--dry-run`` can show it
and the clock is a parameter, so the policy is testable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from migsafe.errors import UsageError
from migsafe.snapshots.model import Snapshot, SnapshotStatus, SnapshotStore

__all__ = ["PrunePlan", "SnapshotPruneResult", "plan_prune", "prune"]

_VERIFIED = (SnapshotStatus.VERIFIED, SnapshotStatus.RESTORE_VERIFIED)
_UNKNOWN = dt.datetime.max.replace(tzinfo=dt.UTC)  # an unreadable date sorts as newest


@dataclass(frozen=True)
class PrunePlan:
    """The snapshots to delete and to keep (newest first), with the reason for each, by id."""

    delete: tuple[Snapshot, ...]
    keep: tuple[Snapshot, ...]
    reasons: Mapping[str, str]


@dataclass(frozen=True)
class SnapshotPruneResult:
    """What :func:`prune` removed."""

    deleted: tuple[str, ...]
    freed_bytes: int


def plan_prune(
    snapshots: Sequence[Snapshot],
    *,
    keep: int | None = None,
    max_age: dt.timedelta | None = None,
    now: dt.datetime,
) -> PrunePlan:
    """Delete what is beyond the *keep* newest of its database, or older than *max_age*.

    Either rule is enough to delete; without any rule nothing is deleted. The newest
    verified (or restore-verified) snapshot of each database is always kept.
    """
    if keep is not None and keep < 0:
        raise UsageError(f"--keep must be 0 or more, got {keep}")
    if max_age is not None and max_age < dt.timedelta(0):
        raise UsageError("--max-age must not be negative")
    by_database: dict[str, list[Snapshot]] = {}
    for snap in _newest_first(snapshots):
        by_database.setdefault(snap.database, []).append(snap)

    delete: list[Snapshot] = []
    kept: list[Snapshot] = []
    reasons: dict[str, str] = {}
    for database, group in by_database.items():
        protected = next((s for s in group if s.status in _VERIFIED), None)
        for rank, snap in enumerate(group):
            why = _why_delete(snap, rank, keep=keep, max_age=max_age, now=now)
            if snap is protected:
                also = f" (would otherwise go: {why})" if why else ""
                reasons[snap.id] = f"newest verified snapshot of {database}: always kept{also}"
                kept.append(snap)
            elif why:
                reasons[snap.id] = why
                delete.append(snap)
            else:
                ruled = keep is not None or max_age is not None
                reasons[snap.id] = "within the retention rules" if ruled else "no rule given"
                kept.append(snap)
    return PrunePlan(
        delete=tuple(_newest_first(delete)),
        keep=tuple(_newest_first(kept)),
        reasons=reasons,
    )


def prune(store: SnapshotStore, plan: PrunePlan) -> SnapshotPruneResult:
    """Delete the plan's snapshots (file and catalog entry)."""
    for snap in plan.delete:
        store.delete(snap)
    return SnapshotPruneResult(
        deleted=tuple(s.id for s in plan.delete), freed_bytes=sum(s.size for s in plan.delete)
    )


def _why_delete(
    snap: Snapshot, rank: int, *, keep: int | None, max_age: dt.timedelta | None, now: dt.datetime
) -> str | None:
    reasons = []
    if keep is not None and rank >= keep:
        reasons.append(f"beyond the {keep} newest")
    created = _created(snap)
    if max_age is not None and created is not None and now - created > max_age:
        reasons.append(f"older than {_age(max_age)}")
    return " and ".join(reasons) or None


def _created(snap: Snapshot) -> dt.datetime | None:
    try:
        created = dt.datetime.fromisoformat(snap.created_at)
    except ValueError:
        return None  # an unreadable date never makes a snapshot look old
    return created if created.tzinfo else created.replace(tzinfo=dt.UTC)


def _newest_first(snapshots: Sequence[Snapshot]) -> list[Snapshot]:
    # Ids start with their creation time, so they break ties in the same order.
    return sorted(snapshots, key=lambda s: (_created(s) or _UNKNOWN, s.id), reverse=True)


def _age(delta: dt.timedelta) -> str:
    if delta.days and not delta.seconds:
        return f"{delta.days} days" if delta.days != 1 else "1 day"
    hours = delta.total_seconds() / 3600
    return f"{hours:g} hours"
