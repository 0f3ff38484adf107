"""Reverses of ``add_column`` and ``drop_column`` on SQLite.

Both are undone by rebuilding the table from the ``CREATE TABLE`` saved before the step
(see ``restore``), which puts a dropped column back in its place (SQLite's own ``ADD
COLUMN`` would append it, and splice its text into the definition). A dropped column's
values are archived by primary key first and go back in the rebuild; rows inserted since
get its default, or NULL. An added column's values are archived on the way back.
"""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa
from alembic.operations.ops import AddColumnOp, DropColumnOp

from migsafe.reverse.model import Reverse
from migsafe.reverse.sqlite.finish import after_operation, column_archive
from migsafe.reverse.sqlite.restore import Hints
from migsafe.reverse.sqlite.schema import read_schema


def reverse_add_column(op: AddColumnOp, conn: sa.Connection) -> Reverse:
    pre = read_schema(conn)
    table = pre.table(op.table_name)
    if table is None:
        return Reverse.refused(f"table {op.table_name} does not exist: add_column would fail")
    if table.column(op.column.name) is not None:
        if op.if_not_exists:
            return Reverse.nothing()
        return Reverse.refused(f"column {op.column.name} exists: add_column would fail")
    return after_operation(pre)


def reverse_drop_column(op: DropColumnOp, conn: sa.Connection) -> Reverse:
    pre = read_schema(conn)
    table = pre.table(op.table_name)
    if table is None:
        return Reverse.refused(f"table {op.table_name} does not exist: drop_column would fail")
    col = table.column(op.column_name)
    if col is None:
        if op.if_exists:
            return Reverse.nothing()
        return Reverse.refused(f"column {op.column_name} does not exist: the drop would fail")
    if not col.insertable:  # generated: its values come back by themselves
        return after_operation(pre)
    kept = column_archive(conn, pre, table.name, col.name, "the dropped values")
    if isinstance(kept, str):
        return Reverse.refused(kept)
    kept = replace(kept, dropped=True, not_null=col.not_null, has_default=col.default is not None)
    return after_operation(pre, Hints(restores=((kept, None),)), archive=(kept,))
