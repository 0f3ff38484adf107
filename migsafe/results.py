"""Results of commands, as frozen data that renderers turn into text or JSON."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from enum import Enum
from pathlib import PurePath
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # kept out of the import path of `migsafe status` (startup time)
    from migsafe.engine.plan import Plan
    from migsafe.engine.runs import Run, RunStatus
    from migsafe.reverse.store import StoredReverse


#: ``dataclasses.field(metadata=...)`` key: the JSON key a field is shown under; None omits it.
JSON_KEY = "json_key"
#: Field metadata that leaves the field out of :func:`to_dict`.
OMIT: Mapping[str, Any] = MappingProxyType({JSON_KEY: None})


def json_key(name: str) -> Mapping[str, Any]:
    """Field metadata that shows the field under *name* in :func:`to_dict`."""
    return MappingProxyType({JSON_KEY: name})


def to_dict(obj: Any) -> dict[str, Any]:
    """A dataclass's fields, in order, as JSON-ready data (what ``--format json`` prints).

    Enums become their value, datetimes ISO 8601 text, paths text, tuples lists, mappings
    dicts, named tuples dicts of their fields, and nested dataclasses dicts (through their own
    ``to_dict()`` when they have one, whose shape may differ). A field's ``metadata`` may
    rename it (:func:`json_key`) or leave it out (:data:`OMIT`).
    """
    data: dict[str, Any] = {}
    for f in fields(obj):
        key = f.metadata.get(JSON_KEY, f.name)
        if key is not None:
            data[key] = plain(getattr(obj, f.name))
    return data


def plain(value: Any) -> Any:
    """*value* as JSON-ready data (see :func:`to_dict`)."""
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, str | int | float):
        return value
    if isinstance(value, dt.date):  # datetimes too
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if is_dataclass(value) and not isinstance(value, type):
        own = getattr(value, "to_dict", None)
        return own() if callable(own) else to_dict(value)
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    return value


class AsDict:
    """Gives a dataclass ``to_dict()``: its fields as JSON-ready data (see :func:`to_dict`)."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """Every field, through :func:`to_dict`."""
        return to_dict(self)


@dataclass(frozen=True)
class RunResult:
    """What an upgrade or revert did (or, with --dry-run, would do)."""

    run_id: str | None
    command: str
    status: RunStatus  # succeeded | noop | dry_run | rolled_back | not_restored | restored
    plan: Plan
    at_heads: tuple[str, ...]
    dry_run: bool = False
    duration_s: float | None = None
    attempts: int = 0
    failed_revision: str | None = None
    error: str | None = None
    step_seconds: dict[str, float] = field(default_factory=dict)
    cleaned_up: tuple[str, ...] = ()
    reverted_run_id: str | None = None
    snapshot_id: str | None = None
    message: str | None = None  # a revert with nothing to do: why (e.g. "already reverted")

    def to_dict(self) -> dict[str, Any]:
        """Written by hand: the plan's database, start and target are lifted to the top level
        (as ``from``/``target``) and the heads reached are ``at``, beside the whole plan."""
        return {
            "run_id": self.run_id,
            "command": self.command,
            "status": self.status.value,
            "dry_run": self.dry_run,
            "database": self.plan.database,
            "from": list(self.plan.from_heads),
            "target": self.plan.target,
            "at": list(self.at_heads),
            "duration_s": self.duration_s,
            "attempts": self.attempts,
            "failed_revision": self.failed_revision,
            "error": self.error,
            "step_seconds": self.step_seconds,
            "cleaned_up": list(self.cleaned_up),
            "reverted_run_id": self.reverted_run_id,
            "snapshot_id": self.snapshot_id,
            "message": self.message,
            "plan": self.plan.to_dict(),
        }


@dataclass(frozen=True)
class Pending:
    revision: str
    down_revisions: tuple[str, ...]
    message: str
    transactional: bool


@dataclass(frozen=True)
class StatusResult:
    """Where the database is, what is pending, and the last run."""

    database: str
    current: tuple[str, ...]
    heads: tuple[str, ...]
    pending: tuple[Pending, ...]
    last_run: Run | None
    unknown_current: tuple[str, ...] = ()

    @property
    def up_to_date(self) -> bool:
        return not self.pending and set(self.current) == set(self.heads)

    def to_dict(self) -> dict[str, Any]:
        """Written by hand: ``up_to_date`` is a property, and the keys keep the order users read."""
        return {
            "database": self.database,
            "current": list(self.current),
            "heads": list(self.heads),
            "up_to_date": self.up_to_date,
            "unknown_current": list(self.unknown_current),
            "pending": [to_dict(p) for p in self.pending],
            "last_run": self.last_run.to_dict() if self.last_run else None,
        }


@dataclass(frozen=True)
class HistoryResult:
    database: str
    runs: tuple[Run, ...]
    journal: tuple[dict[str, Any], ...] | None = None  # set when one run is shown in detail

    def to_dict(self) -> dict[str, Any]:
        """Written by hand: one run with its journal, or a list of runs: two shapes."""
        if self.journal is not None:
            (run,) = self.runs
            return {
                "database": self.database,
                "run": run.to_dict(with_plan=True),
                "journal": list(self.journal),
            }
        return {"database": self.database, "runs": [r.to_dict() for r in self.runs]}


@dataclass(frozen=True)
class ReverseShow(AsDict):
    """The reverse scripts stored for one revision, newest application first."""

    database: str
    rows: tuple[StoredReverse, ...] = field(metadata=json_key("applications"))
