"""Reverses of adding and dropping constraints on SQLite (batch mode: the table is rebuilt).

Constraints live in the ``CREATE TABLE`` text, so the reverse rebuilds the table from the
text saved before the step: unnamed constraints are no harder than named ones, and adding
a primary key (which can make columns NOT NULL) is undone with the rest. No values change.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic.operations.ops import AddConstraintOp, DropConstraintOp

from migsafe.reverse.model import Reverse
from migsafe.reverse.sqlite.finish import after_operation
from migsafe.reverse.sqlite.schema import read_schema


def reverse_add_constraint(op: AddConstraintOp, conn: sa.Connection) -> Reverse:
    con = op.to_constraint()
    owner = getattr(con, "table", None)
    name = owner.name if isinstance(owner, sa.Table) else getattr(op, "table_name", None)
    return _table_change(conn, name)


def reverse_drop_constraint(op: DropConstraintOp, conn: sa.Connection) -> Reverse:
    return _table_change(conn, op.table_name)


def _table_change(conn: sa.Connection, table_name: str | None) -> Reverse:
    pre = read_schema(conn)
    if table_name is None or pre.table(table_name) is None:
        return Reverse.refused(f"table {table_name} does not exist: the constraint change fails")
    return after_operation(pre)
