"""Rendering reverse operations as SQL, for review (``migsafe reverse show``) and storage.

It uses Alembic's offline mode, so the text is what Alembic would run: every operation,
including :class:`~migsafe.reverse.ops.RestoreArchiveOp`, renders with no special case, and
values are inlined as literals.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.operations.ops import MigrateOperation

# Imported to register RestoreArchiveOp and SQLite's RebuildTableOp with Alembic.
import migsafe.reverse.ops
import migsafe.reverse.sqlite.rebuild  # noqa: F401


class _Statements:
    """An output buffer that keeps each statement Alembic writes apart."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def write(self, text: str) -> None:
        # Alembic writes one statement (with its terminator) and a blank line per call.
        if text.strip():
            self.items.append(text.strip())

    def flush(self) -> None:
        pass


def render_sql(
    ops: Iterable[MigrateOperation], dialect: str | sa.Dialect = "postgresql"
) -> list[str]:
    """The SQL statements *ops* run, each ending with ``;``, in order."""
    name = dialect if isinstance(dialect, str) else dialect.name
    out = _Statements()
    context, operations = _offline(name)
    # One offline context per dialect; a new buffer per call.
    context.impl.output_buffer = out  # type: ignore[assignment]
    for op in ops:
        operations.invoke(op)
    return out.items


@functools.lru_cache(maxsize=4)
def _offline(name: str) -> tuple[MigrationContext, Operations]:
    """An offline-mode context for *name* (configuring one costs more than rendering)."""
    context = MigrationContext.configure(
        dialect_name=name,
        # "named": percent signs are not doubled in the text, as pyformat would.
        dialect_opts={"paramstyle": "named"},
        opts={"as_sql": True, "output_buffer": _Statements(), "literal_binds": True},
    )
    return context, Operations(context)
