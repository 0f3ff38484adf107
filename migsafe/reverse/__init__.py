"""Generated reverse scripts: how to undo each Alembic operation, and what to keep.

Called just before an operation runs, inside the migration's transaction and on its live
connection, :func:`reverse_of` reads the schema as it is at that instant and returns a
:class:`Reverse`: the Alembic operations that undo the step, the data to archive before it
runs (dropped columns' values, dropped tables), or why it cannot be undone exactly.
:func:`render_sql` prints reverse operations as SQL. (``apply.apply_reversibly`` runs one
operation through the production capture, ``capture``: what the guard uses for every operation
of a run. It is not imported here, so that generating stays free of the engine.)

Everything about reverse scripts lives here:

- generation: ``generate`` (the registry), one module per family of operations (``columns``,
  ``alter_column``, ``tables``, ``indexes``, ``constraints``, ``data``, ``raw_sql`` for raw
  SQL), ``reflect``/``reflect_objects`` (the live schema), ``sqlite/`` (SQLite's rebuilds),
  ``sql`` (rendering), ``model`` (the Reverse contract);
- capture: ``capture`` (the guard's one seam: each operation's reverse made on the live
  connection as it runs, refusals, the tested own ``downgrade()``), ``keep`` (what is kept
  before a destructive step and on revert), ``apply`` (one operation through that path);
- storage: ``store`` (``migsafe_reverse`` rows, written in the migration's transaction);
- revert: ``revert/`` (from the request to a plan, run in one guarded transaction);
- archives: ``archive`` (keeping and restoring data), ``archive_retention`` (list, prune).
"""

from __future__ import annotations

from migsafe.reverse.archive import archive, archive_sql, restore_archive, restore_sql
from migsafe.reverse.generate import DEFAULT_ARCHIVE_SCHEMA, reverse_of
from migsafe.reverse.model import (
    ArchiveAction,
    ArchivedColumn,
    ColumnArchive,
    Reverse,
    TableArchive,
    reverse_script,
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
    "archive",
    "archive_sql",
    "classify_sql",
    "render_sql",
    "restore_archive",
    "restore_sql",
    "reverse_of",
    "reverse_script",
]
