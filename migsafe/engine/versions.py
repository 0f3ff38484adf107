"""Read the Alembic version table directly (which revisions the database is at)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa


@dataclass(frozen=True)
class VersionTable:
    """Where Alembic keeps the current revisions, as env.py configured it."""

    engine: sa.Engine
    name: str = "alembic_version"
    schema: str | None = None

    def _table(self) -> sa.Table:
        return sa.Table(
            self.name, sa.MetaData(), sa.Column("version_num", sa.String(32)), schema=self.schema
        )

    def read(self, conn: sa.Connection) -> tuple[str, ...]:
        """Current heads, sorted; () when the table does not exist yet."""
        if not sa.inspect(conn).has_table(self.name, schema=self.schema):
            return ()
        rows = conn.execute(sa.select(self._table().c.version_num)).scalars().all()
        return tuple(sorted(rows))

    def write(self, conn: sa.Connection, heads: Sequence[str]) -> None:
        """Set the heads (a revert through stored reverses moves them itself, without
        Alembic); the table exists, since a revision was applied."""
        table = self._table()
        conn.execute(table.delete())
        if heads:
            conn.execute(table.insert(), [{"version_num": h} for h in heads])

    def read_fresh(self) -> tuple[str, ...]:
        """Current heads read on a new connection (the migration's may be broken)."""
        with self.engine.connect() as conn:
            heads = self.read(conn)
            conn.rollback()
            return heads
