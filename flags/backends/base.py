"""What every flag backend offers, and the data it returns."""

from __future__ import annotations

from collections.abc import Mapping
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


@dataclass(frozen=True)
class AuditEntry:
    """One recorded change: who made it, when, the definition before and after, and why."""

    flag: str
    actor: str
    at: datetime
    old: Mapping[str, Any] | None
    new: Mapping[str, Any] | None
    reason: str | None


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

    def set_enabled(self, name: str, enabled: bool, *, actor: str, reason: str | None) -> int:
        """Switch one feature on or off; returns the new state version."""
        ...

    def require(self, name: str, revision: str | None, *, actor: str, reason: str | None) -> int:
        """Make one feature require an Alembic revision (None: no longer); returns the version."""
        ...

    def history(self, name: str) -> list[AuditEntry]:
        """The recorded changes of one feature, oldest first."""
        ...
