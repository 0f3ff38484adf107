"""Keeping what a destructive step would destroy on SQLite, in tables beside the live ones.

A dropped column's values are copied, with the primary key, into
``migsafe_archive__<table>__<column>__<tag>``; a dropped table is renamed to
``migsafe_archive__<table>__<tag>``. Both run just before the step, in its transaction.
Putting them back is a :class:`~migsafe.reverse.sqlite.model.Rebuild` (see ``rebuild``).
"""

from __future__ import annotations

import sqlalchemy as sa

from migsafe.reverse.archive import new_tag
from migsafe.reverse.sqlite._sql import q, run
from migsafe.reverse.sqlite.model import (
    SqliteArchiveAction,
    SqliteColumnArchive,
    SqliteTableArchive,
)
from migsafe.reverse.sqlite.schema import ARCHIVE_PREFIX


def archive_table_name(*parts: str, tag: str | None = None) -> str:
    """``migsafe_archive__part1__part2__tag``: unique, so runs never collide."""
    return ARCHIVE_PREFIX + "__".join([*parts, tag or new_tag()])


def archive_tables(conn: sa.Connection) -> list[str]:
    """Names of the archive tables in the database (fingerprints leave them out)."""
    rows = conn.exec_driver_sql(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND substr(name, 1, ?) = ?",
        (len(ARCHIVE_PREFIX), ARCHIVE_PREFIX),
    )
    return [r[0] for r in rows]


def archive(action: SqliteArchiveAction, conn: sa.Connection) -> None:
    """Keep what *action* describes; run it before the operation, in its transaction."""
    for stmt in archive_sql(action):
        run(conn, stmt)


def archive_sql(action: SqliteArchiveAction) -> list[str]:
    """The statements :func:`archive` runs, for the plan and for review."""
    if isinstance(action, SqliteColumnArchive):
        return column_archive_sql(action)
    return table_archive_sql(action)


def column_archive_sql(a: SqliteColumnArchive, *, source: str | None = None) -> list[str]:
    """Copy the key and value columns of *source* (default: the archived table)."""
    names = [*a.keys, a.column]
    cols = ", ".join(q(n) for n in names)
    return [
        # No declared types: no affinity, values stored exactly as read.
        f"CREATE TABLE {q(a.archive_table)} ({cols})",
        f"INSERT INTO {q(a.archive_table)} ({cols}) SELECT {cols} FROM {q(source or a.table)}",
    ]


def table_archive_sql(a: SqliteTableArchive) -> list[str]:
    """Free the table's index and trigger names, then rename it out of the way."""
    out = [f"DROP TRIGGER {q(name)}" for name in a.triggers]
    out += [f"DROP INDEX {q(name)}" for name in a.indexes]
    out += [
        "PRAGMA legacy_alter_table = ON",
        f"ALTER TABLE {q(a.table)} RENAME TO {q(a.archive_table)}",
        f"PRAGMA legacy_alter_table = {'ON' if a.legacy_alter_table else 'OFF'}",
    ]
    return out
