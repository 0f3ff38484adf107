"""What the snapshot code needs of a database session: the engine's ``Session`` is one.

Snapshots are a library below the engine: they never import it. The engine hands them its
session through this protocol, and does its own bookkeeping (the runner lock, the history,
the reverse scripts a restore supersedes) around the calls.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

import sqlalchemy as sa

from migsafe.settings import Settings

__all__ = ["Database"]


class Database(Protocol):
    """A connected database with its settings and current Alembic heads."""

    @property
    def settings(self) -> Settings:
        """Where the snapshot store is, compression, migsafe's own schemas."""

    @property
    def url(self) -> sa.URL:
        """migsafe's own URL for the database (the password in it: the tools need it)."""

    @property
    def conn(self) -> sa.Connection:
        """The migrations' connection: a restore ends its transaction first."""

    @property
    def heads(self) -> tuple[str, ...]:
        """The Alembic revisions the database is at: what a snapshot records."""

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is a SQLite file rather than PostgreSQL."""

    def connections(self) -> tuple[sa.Connection, ...]:
        """The connections the session holds now: a restore does not wait for them."""

    def aux(self) -> AbstractContextManager[sa.Connection]:
        """A connection beside the migrations' one, in autocommit: catalog reads."""
