"""What every flag backend offers, and the data it returns."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


class FlagNotFound(LookupError):
    """A change named a flag that the store does not hold."""

    exit_code = 2
    hint = "list the flags that exist with `migsafe flags list`"

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"no flag named {name!r}")


class FlagExists(ValueError):
    """A create named a flag that the store already holds; nothing was written."""

    exit_code = 2
    hint = "show it with `migsafe flags show NAME`, or change it with the other commands"

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"flag {name!r} already exists")


@dataclass(frozen=True)
class AuditEntry:
    """One recorded change: who made it, when, the definition before and after, and why."""

    flag: str
    actor: str
    at: datetime
    old: Mapping[str, Any] | None
    new: Mapping[str, Any] | None
    reason: str | None
    kind: str = "feature"
    """`feature` (then `flag` is its name) or `segment` (then `flag` is its id)."""


@dataclass(frozen=True)
class FeatureUpdate:
    """What a locked read-modify-write of one feature did: before, after, and the version.

    `version` is None when the change left the definition as it was: nothing was
    written, audited or notified.
    """

    old: Mapping[str, Any]
    new: Mapping[str, Any]
    version: int | None

    @property
    def changed(self) -> bool:
        """Whether a new definition was written."""
        return self.version is not None


@dataclass(frozen=True)
class Snapshot:
    """What a client reads on each refresh: the flags and the database's Alembic heads."""

    version: int
    document: dict[str, Any]
    heads: frozenset[str] | None
    """The revisions in the Alembic version table; None if it could not be read."""


class FlagStore(Protocol):
    """A place that holds flag definitions as Unleash client-features JSON."""

    def load(self) -> tuple[int, dict[str, Any]]:
        """The state version and the client-features document."""
        ...

    def upsert(self, feature: Mapping[str, Any], *, actor: str, reason: str | None) -> int:
        """Create or replace one feature; returns the new state version."""
        ...

    def create(self, feature: Mapping[str, Any], *, actor: str, reason: str | None) -> int:
        """Add one feature that must not exist yet (`FlagExists`); returns the new version."""
        ...

    def update(
        self,
        name: str,
        change: Callable[[dict[str, Any]], Mapping[str, Any]],
        *,
        actor: str,
        reason: str | None,
    ) -> FeatureUpdate:
        """Apply `change` to the current definition of `name` atomically, and store the result."""
        ...

    def set_enabled(self, name: str, enabled: bool, *, actor: str, reason: str | None) -> int:
        """Switch one feature on or off; returns the new state version."""
        ...

    def require(self, name: str, revision: str | None, *, actor: str, reason: str | None) -> int:
        """Make one feature require an Alembic revision (None: no longer); returns the version."""
        ...

    def history(self, name: str) -> list[AuditEntry]:
        """The recorded changes of one feature, oldest first."""
        ...
