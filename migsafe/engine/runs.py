"""A run of the history as data, and the outcomes it can have (no database code here)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from migsafe.results import OMIT, to_dict
from migsafe.stored_enums import StoredStrEnum


class RunStatus(StoredStrEnum):
    """How a run ended (or that it has not): the ``status`` column, and a result's status."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    ROLLED_BACK = "rolled_back"
    NOT_RESTORED = "not_restored"
    INTERRUPTED = "interrupted"
    RESTORED = "restored"  # failed after a non-transactional step; the snapshot was restored
    # Only in a command's result, never stored: nothing to do, or only planned.
    NOOP = "noop"
    DRY_RUN = "dry_run"


class Direction(StrEnum):
    """Which way a revision is applied: a plan step's and the journal's ``direction``."""

    UPGRADE = "upgrade"
    DOWNGRADE = "downgrade"


@dataclass(frozen=True)
class Run:
    """One row of the history, as data."""

    run_id: str
    command: str
    status: RunStatus
    started_at: dt.datetime
    finished_at: dt.datetime | None
    duration_s: float | None
    os_user: str | None
    db_user: str | None
    host: str | None
    pid: int | None
    from_revisions: tuple[str, ...]
    to_revisions: tuple[str, ...]
    at_revisions: tuple[str, ...]
    target: str | None
    guard: str | None
    failed_revision: str | None
    error: str | None
    reverts_run_id: str | None
    reverted_by: str | None
    attempts: int | None
    snapshot_id: str | None = None
    # Read only for one run shown in detail (see History.runs), and shown only then.
    plan: dict[str, Any] | None = field(default=None, metadata=OMIT)
    operations: dict[str, Any] | None = field(default=None, metadata=OMIT)

    def to_dict(self, *, with_plan: bool = False) -> dict[str, Any]:
        data = to_dict(self)
        if with_plan:
            data["plan"] = self.plan
            data["operations"] = self.operations
        return data


def _as_tuple(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):  # JSON text, as SQLite returns it without SQLAlchemy
        value = json.loads(value)
    if not value:
        return ()
    return tuple(str(v) for v in value)


def _aware(value: dt.datetime | str | None) -> dt.datetime | None:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)  # SQLite returns naive datetimes
    return value


def run_from_row(row: Mapping[str, Any], *, with_plan: bool = False) -> Run:
    """Build a Run from a history row (SQLAlchemy mapping or a plain dict)."""
    started = _aware(row["started_at"])
    assert started is not None
    return Run(
        run_id=row["run_id"],
        command=row["command"],
        status=RunStatus(row["status"]),
        started_at=started,
        finished_at=_aware(row["finished_at"]),
        duration_s=row["duration_s"],
        os_user=row["os_user"],
        db_user=row["db_user"],
        host=row["host"],
        pid=row["pid"],
        from_revisions=_as_tuple(row["from_revisions"]),
        to_revisions=_as_tuple(row["to_revisions"]),
        at_revisions=_as_tuple(row["at_revisions"]),
        target=row["target"],
        guard=row["guard"],
        failed_revision=row["failed_revision"],
        error=row["error"],
        reverts_run_id=row["reverts_run_id"],
        reverted_by=row["reverted_by"],
        attempts=row["attempts"],
        snapshot_id=row.get("snapshot_id"),
        operations=_plan(row.get("operations")) if with_plan else None,
        plan=_plan(row["plan"]) if with_plan else None,
    )


def _plan(value: Any) -> dict[str, Any] | None:
    if isinstance(value, str):
        loaded: dict[str, Any] = json.loads(value)
        return loaded
    return value  # type: ignore[no-any-return]
