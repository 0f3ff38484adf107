"""What the SQLite generator keeps and rebuilds: plain data, rendered to SQL in ``archive``
and ``rebuild``.

SQLite has no schemas, so archives are tables beside the live ones, named
``migsafe_archive__<table>[__<column>]__<tag>``; fingerprints leave them out by that prefix
(:func:`migsafe.reverse.sqlite.archive.archive_tables`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SqliteColumnArchive:
    """Values of one column, keyed by the table's primary key, copied into an archive table.

    The archive's columns have no declared type, so values keep their storage class exactly
    (no affinity applies); put back into a column of the original type they come back as
    they were, since a value read from a column is already in that column's affinity.
    """

    table: str
    column: str
    keys: tuple[str, ...]
    archive_table: str
    # Kept because the column is dropped (see migsafe.reverse.model.ColumnArchive).
    dropped: bool = False
    not_null: bool = False
    has_default: bool = False


@dataclass(frozen=True)
class SqliteTableArchive:
    """A dropped table, renamed to ``archive_table`` instead of dropped.

    Index and trigger names are database-wide, so the table's own indexes and triggers are
    dropped (the reverse re-creates them from their saved SQL). The rename runs with
    ``legacy_alter_table`` on, so views, triggers and foreign keys elsewhere that name the
    table are left naming it, as after a real ``DROP TABLE``; ``legacy_alter_table`` is the
    session's setting, put back afterwards.
    """

    table: str
    archive_table: str
    indexes: tuple[str, ...]
    triggers: tuple[str, ...]
    legacy_alter_table: bool = False


SqliteArchiveAction = SqliteColumnArchive | SqliteTableArchive


@dataclass(frozen=True)
class Rebuild:
    """Re-create a table from its exact saved ``CREATE TABLE``, copying its rows back.

    SQLite keeps a table's definition as the text it was created with; only re-running that
    text gives back the same schema, so this is the move-and-copy of Alembic's batch mode,
    fed with the saved text instead of DDL regenerated from a reflected ``Table``:

    * ``source`` (the table as it is when the reverse runs) is renamed to ``scratch``, after
      the values of columns about to disappear (``keeps``) are archived;
    * ``ddl`` creates ``target``; each of ``columns`` is filled from an SQL expression over
      the old rows (alias ``live``) and the archives being restored (``kept0``, ``kept1``..,
      in the order of ``restores``, joined by their keys);
    * rowids are carried over through ``rowid`` (the name that reaches them) when both sides
      have them, so tables without an INTEGER PRIMARY KEY keep theirs;
    * the scratch table is dropped, and ``after`` (the table's ``CREATE INDEX`` and
      ``CREATE TRIGGER`` statements, as saved) re-creates what went with it.
    """

    source: str
    target: str
    ddl: str
    columns: tuple[tuple[str, str], ...]
    scratch: str
    restores: tuple[SqliteColumnArchive, ...] = ()
    keeps: tuple[SqliteColumnArchive, ...] = ()
    rowid: str | None = None
    autoincrement: bool = False
    after: tuple[str, ...] = ()
