"""Reverses completed right after the operation, from the schema before and after it."""

from __future__ import annotations

import sqlalchemy as sa

from migsafe.reverse.model import AnyArchive, Reverse
from migsafe.reverse.sqlite._sql import q, run
from migsafe.reverse.sqlite.archive import archive_table_name
from migsafe.reverse.sqlite.model import SqliteColumnArchive
from migsafe.reverse.sqlite.restore import Hints, restore_ops
from migsafe.reverse.sqlite.schema import Schema, read_schema


def after_operation(
    pre: Schema,
    hints: Hints | None = None,
    archive: tuple[AnyArchive, ...] = (),
    caveats: tuple[str, ...] = (),
) -> Reverse:
    """A reverse whose operations are computed by comparing *pre* with the schema just after
    the operation (see :func:`~migsafe.reverse.sqlite.restore.restore_ops`).

    If the operation did something the comparison cannot undo exactly (it dropped a table
    or a column's values without an archive), the finished reverse is irreversible: the
    runner must then treat the step as failed, since the plan said it was reversible.
    """

    def finish(conn: sa.Connection) -> Reverse:
        result = restore_ops(pre, read_schema(conn), hints or Hints())
        if isinstance(result, str):
            return Reverse(irreversible=result, archive=archive)
        return Reverse(ops=tuple(result), archive=archive, caveats=caveats)

    return Reverse(archive=archive, caveats=caveats, finish=finish)


def column_archive(
    conn: sa.Connection, pre: Schema, table: str, column: str, what: str
) -> SqliteColumnArchive | str:
    """Where *column*'s values are kept, keyed by primary key; or why *what* cannot be kept.

    Only a declared primary key identifies rows for good: a rowid that no INTEGER PRIMARY
    KEY pins is renumbered by VACUUM and by every batch-mode rebuild of the table (Alembic
    copies the rows without it), so keying by it could put values on the wrong rows.
    """
    found = pre.table(table)
    assert found is not None
    keys = found.primary_key
    if not keys:
        return (
            f"{found.name} has no primary key: {what} could not be matched back to their rows "
            "(its rowids are not stable: VACUUM and batch-mode rebuilds renumber them)"
        )
    col = found.column(column)
    assert col is not None
    if col.pk:
        return f"{found.name}.{col.name} is part of the primary key: {what} would have no key"
    nulls = " OR ".join(f"{q(k)} IS NULL" for k in keys)
    if run(conn, f"SELECT EXISTS (SELECT 1 FROM main.{q(found.name)} WHERE {nulls})"):
        return (
            f"{found.name}'s primary key has NULLs (SQLite allows them in a rowid table's "
            f"non-INTEGER primary key): {what} could not be matched back to those rows"
        )
    return SqliteColumnArchive(found.name, col.name, keys, archive_table_name(found.name, col.name))
