"""Where flag definitions live and how changes reach running clients.

`postgres` keeps them in the application's own database and pushes changes with
LISTEN/NOTIFY; `listener` is the background thread a `FlagClient` runs to follow
them. A backend is anything that satisfies `FlagStore`.
"""

from __future__ import annotations

from flags.backends.base import AuditEntry, FlagNotFound, FlagStore
from flags.backends.postgres import CHANNEL, DEFAULT_SCHEMA, PostgresStore

__all__ = [
    "CHANNEL",
    "DEFAULT_SCHEMA",
    "AuditEntry",
    "FlagNotFound",
    "FlagStore",
    "PostgresStore",
]
