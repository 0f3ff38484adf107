"""Where flag definitions live and how changes reach running clients.

`postgres` keeps them in the application's own database (its tables in
`tables`, segments in `segments`, every change recorded by `audit`) and pushes
changes with LISTEN/NOTIFY (`notify`); `alembic_version`
reads the Alembic heads for revision-bound flags and puts a notify trigger on
the version table; `listener` is the background thread a `FlagClient` runs to
follow both; `unleash` follows an Unleash server instead. A backend is anything
that satisfies `FlagStore`.
"""

from __future__ import annotations

from flags.backends.alembic_version import TriggerStatus, VersionTable
from flags.backends.base import (
    AuditEntry,
    FeatureUpdate,
    FlagExists,
    FlagNotFound,
    FlagStore,
    Snapshot,
)
from flags.backends.notify import notify_schema_changed
from flags.backends.postgres import CHANNEL, DEFAULT_SCHEMA, PostgresStore

__all__ = [
    "CHANNEL",
    "DEFAULT_SCHEMA",
    "AuditEntry",
    "FeatureUpdate",
    "FlagExists",
    "FlagNotFound",
    "FlagStore",
    "PostgresStore",
    "Snapshot",
    "TriggerStatus",
    "VersionTable",
    "notify_schema_changed",
]
