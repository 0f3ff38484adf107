"""Generated reverse scripts: how to undo each Alembic operation, and what to keep.

Called just before an operation runs, inside the migration's transaction and on its live
connection, :func:`reverse_of` reads the schema as it is at that instant and returns a
:class:`Reverse`: the Alembic operations that undo the step, the data to archive before it
runs (dropped columns' values, dropped tables), or why it cannot be undone exactly.
:func:`apply_reversibly` is the reference for running a step that way; :func:`render_sql`
prints reverse operations as SQL.

Modules: ``generate`` (the registry), one module per family of operations (``columns``,
``alter_column``, ``tables``, ``indexes``, ``constraints``, ``data``, ``execute`` and
``raw_sql`` for raw SQL), ``reflect``/``reflect_objects`` (the live schema), ``archive``
(keeping and restoring data), ``ops`` (the restore operation), ``sql`` (rendering).
"""

from __future__ import annotations

from migsafe.reverse.apply import apply_reversibly, reverse_script, undo
from migsafe.reverse.archive import archive, archive_sql, restore_archive, restore_sql
from migsafe.reverse.generate import DEFAULT_ARCHIVE_SCHEMA, reverse_of
from migsafe.reverse.model import (
    ArchiveAction,
    ArchivedColumn,
    ColumnArchive,
    Reverse,
    TableArchive,
)
from migsafe.reverse.ops import RestoreArchiveOp
from migsafe.reverse.raw_sql import classify_sql
from migsafe.reverse.sql import render_sql

__all__ = [
    "DEFAULT_ARCHIVE_SCHEMA",
    "ArchiveAction",
    "ArchivedColumn",
    "ColumnArchive",
    "RestoreArchiveOp",
    "Reverse",
    "TableArchive",
    "apply_reversibly",
    "archive",
    "archive_sql",
    "classify_sql",
    "render_sql",
    "restore_archive",
    "restore_sql",
    "reverse_of",
    "reverse_script",
    "undo",
]
