"""Reverses of ``create_index`` and ``drop_index`` on SQLite: the index's saved
``CREATE INDEX`` text is re-run, or the new index dropped (``restore`` does both)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.operations.ops import CreateIndexOp, DropIndexOp

from migsafe.reverse.model import Reverse
from migsafe.reverse.sqlite.finish import after_operation
from migsafe.reverse.sqlite.schema import read_schema


def reverse_create_index(op: CreateIndexOp, conn: sa.Connection) -> Reverse:
    pre = read_schema(conn)
    if pre.table(op.table_name) is None:
        return Reverse.refused(f"table {op.table_name} does not exist: create_index would fail")
    if op.index_name and pre.entry("index", str(op.index_name)) is not None:
        if op.if_not_exists:
            return Reverse.nothing()
        return Reverse.refused(f"index {op.index_name} exists: create_index would fail")
    return after_operation(pre)


def reverse_drop_index(op: DropIndexOp, conn: sa.Connection) -> Reverse:
    pre = read_schema(conn)
    if pre.entry("index", str(op.index_name)) is None:
        if op.if_exists:
            return Reverse.nothing()
        return Reverse.refused(f"index {op.index_name} does not exist: drop_index would fail")
    return after_operation(pre)
