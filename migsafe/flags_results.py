"""Results of the `migsafe flags` commands, as frozen data that renderers turn into text or JSON.

A flag is shown from its Unleash client-features definition; `FlagSummary.of` derives the few
facts an operator scans for (on or off, for whom, tied to which revision) from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from migsafe.results import AsDict

if TYPE_CHECKING:
    from migsafe.flags_effective import Effective


def required_revision(definition: Mapping[str, Any]) -> str | None:
    """The revision a flag requires; None if none, `(malformed)` if it cannot be read."""
    # Imported here: `flags` costs ~0.1 s to import, which the other commands must not pay.
    from flags.revisions.requirement import UNMEETABLE
    from flags.revisions.requirement import required_revision as read

    revision = read(definition)
    return "(malformed)" if revision == UNMEETABLE else revision


def rollout_of(definition: Mapping[str, Any]) -> str:
    """Who a flag is on for when it is enabled: `all`, `10%`, or `custom (N strategies)`."""
    strategies = [s for s in definition.get("strategies") or () if not s.get("disabled")]
    if not strategies:
        return "all"
    if (
        len(strategies) == 1
        and not strategies[0].get("constraints")
        and not strategies[0].get("segments")
    ):
        strategy = strategies[0]
        if strategy.get("name") == "default":
            return "all"
        if strategy.get("name") == "flexibleRollout":
            return f"{(strategy.get('parameters') or {}).get('rollout', '100')}%"
    return f"custom ({len(strategies)} strateg{'y' if len(strategies) == 1 else 'ies'})"


@dataclass(frozen=True)
class FlagSummary:
    """One flag as `list` and `show` present it, with its whole definition."""

    name: str
    enabled: bool
    type: str | None
    description: str | None
    rollout: str
    requires: str | None
    definition: Mapping[str, Any]
    # As running apps see it now (`list`, `show`; None elsewhere), and why it is off.
    effective: bool | None = None
    reason: str | None = None

    @classmethod
    def of(cls, definition: Mapping[str, Any], effective: Effective | None = None) -> FlagSummary:
        return cls(
            name=str(definition["name"]),
            enabled=bool(definition.get("enabled")),
            type=definition.get("type"),
            description=definition.get("description"),
            rollout=rollout_of(definition),
            requires=required_revision(definition),
            definition=definition,
            effective=None if effective is None else effective.on,
            reason=None if effective is None else effective.reason,
        )

    def to_dict(self) -> dict[str, Any]:
        """Written by hand: the flag's definition comes last, after what it is now."""
        return {
            "name": self.name,
            "enabled": self.enabled,
            "type": self.type,
            "description": self.description,
            "rollout": self.rollout,
            "requires": self.requires,
            "effective": self.effective,
            "reason": self.reason,
            "definition": dict(self.definition),
        }


def describe_change(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> str:
    """One line saying what a change did: `created (off)`, `enabled: on -> off`, ..."""
    if new is None:
        return "deleted"
    after = FlagSummary.of(new)
    if old is None:
        return f"created ({'on' if after.enabled else 'off'}, {after.rollout})"
    before = FlagSummary.of(old)
    parts = []
    if before.enabled != after.enabled:
        parts.append(f"{'on' if before.enabled else 'off'} -> {'on' if after.enabled else 'off'}")
    if before.rollout != after.rollout:
        parts.append(f"rollout {before.rollout} -> {after.rollout}")
    if before.requires != after.requires:
        parts.append(f"requires {before.requires or 'nothing'} -> {after.requires or 'nothing'}")
    return ", ".join(parts) or "definition replaced"


@dataclass(frozen=True)
class FlagList(AsDict):
    """Every flag in the store, by name."""

    database: str  # redacted URL
    schema: str
    version: int
    flags: tuple[FlagSummary, ...]


@dataclass(frozen=True)
class AuditRecord(AsDict):
    """One change from the audit table, with a one-line description of it."""

    at: str  # ISO 8601, UTC
    actor: str
    reason: str | None
    change: str
    old: Mapping[str, Any] | None
    new: Mapping[str, Any] | None


@dataclass(frozen=True)
class FlagDetail(AsDict):
    """One flag and its most recent change."""

    database: str
    schema: str
    flag: FlagSummary
    last_change: AuditRecord | None


@dataclass(frozen=True)
class FlagHistory(AsDict):
    """The recorded changes of one flag, oldest first."""

    database: str
    schema: str
    name: str
    entries: tuple[AuditRecord, ...]


@dataclass(frozen=True)
class FlagChange:
    """What a change command did to one flag; `changed` is False when it was already so."""

    database: str
    schema: str
    command: str  # create | enable | disable | rollout | require
    flag: FlagSummary
    old: Mapping[str, Any] | None
    changed: bool
    version: int | None  # the store's version after the change; None if nothing was written
    actor: str
    reason: str | None
    warnings: tuple[str, ...] = ()  # e.g. a required revision that could not be checked

    @property
    def change(self) -> str:
        return describe_change(self.old, self.flag.definition) if self.changed else "unchanged"

    def to_dict(self) -> dict[str, Any]:
        """Written by hand: ``change`` is computed from the old and new values."""
        return {
            "database": self.database,
            "schema": self.schema,
            "command": self.command,
            "changed": self.changed,
            "change": self.change,
            "version": self.version,
            "actor": self.actor,
            "reason": self.reason,
            "flag": self.flag.to_dict(),
            "old": None if self.old is None else dict(self.old),
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class ImportResult:
    """What `import` wrote: every feature and segment of the file, created, updated or already so.

    Features are named, segments are numbered (their `id`).
    """

    database: str
    schema: str
    source: str
    created: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]
    version: int | None
    actor: str
    segments_created: tuple[int, ...] = ()
    segments_updated: tuple[int, ...] = ()
    segments_unchanged: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Written by hand: the segments' created/updated/unchanged lists are nested under
        ``segments``."""
        return {
            "database": self.database,
            "schema": self.schema,
            "source": self.source,
            "created": list(self.created),
            "updated": list(self.updated),
            "unchanged": list(self.unchanged),
            "segments": {
                "created": list(self.segments_created),
                "updated": list(self.segments_updated),
                "unchanged": list(self.segments_unchanged),
            },
            "version": self.version,
            "actor": self.actor,
        }


@dataclass(frozen=True)
class InitResult(AsDict):
    """The flag tables exist (created now, or there already), and how many flags they hold.

    `trigger` is what became of the notify trigger on the project's Alembic version table
    (`version_table`, schema-qualified when it has a schema): installed, present,
    no-version-table or not-permitted (then clients see a revert at their next poll).
    `version_table_from` says how that table was found: `option`, `env.py`, `history`
    (migsafe's newest recorded run) or `default`.
    """

    database: str
    schema: str
    flags: int
    trigger: str
    version_table: str = "alembic_version"
    version_table_from: str = "default"
