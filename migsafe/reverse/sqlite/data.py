"""Reverse of ``bulk_insert`` on SQLite: delete exactly the inserted rows, by primary key.

As on PostgreSQL, only a primary key given in every row tells inserted rows from equal rows
that were there before; a NULL key is refused too (SQLite allows NULL in a rowid table's
non-INTEGER primary key, and assigns the rowid alias itself).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.operations.ops import BulkInsertOp, ExecuteSQLOp, MigrateOperation

from migsafe.reverse.model import Reverse
from migsafe.reverse.sqlite._sql import fold
from migsafe.reverse.sqlite.schema import read_schema

#: Keys per DELETE: big enough to be quick, small enough to render and review.
CHUNK = 500


def reverse_bulk_insert(op: BulkInsertOp, conn: sa.Connection) -> Reverse:
    name = op.table.name
    table = read_schema(conn).table(name)
    if table is None:
        return Reverse.refused(f"table {name} does not exist: bulk_insert would fail")
    if not op.rows:
        return Reverse.nothing()
    keys = table.primary_key
    if not keys:
        return Reverse.refused(
            f"{table.name} has no primary key: the inserted rows could not be told apart from "
            "equal rows"
        )
    rows = [{fold(k): v for k, v in row.items()} for row in op.rows]
    missing = [k for k in keys if any(row.get(fold(k)) is None for row in rows)]
    if missing:
        return Reverse.refused(
            f"the inserted rows do not all carry primary key column(s) {', '.join(missing)}: "
            "the database assigns them, so they are unknown before the insert"
        )
    types = _key_types(op, keys, rows[0])
    target = sa.table(table.name, *[sa.column(k, types[k]) for k in keys])
    values = [tuple(row[fold(k)] for k in keys) for row in rows]
    ops: list[MigrateOperation] = []
    for start in range(0, len(values), CHUNK):
        chunk = values[start : start + CHUNK]
        if len(keys) == 1:
            where = target.c[keys[0]].in_([v[0] for v in chunk])
        else:
            where = sa.tuple_(*[target.c[k] for k in keys]).in_(chunk)
        ops.append(ExecuteSQLOp(sa.delete(target).where(where)))
    caveats: tuple[str, ...] = ()
    if read_schema(conn).attached(table.name, "trigger"):
        caveats = (
            f"{table.name} has triggers: what they did on insert is not undone, "
            "and the delete fires them again",
        )
    return Reverse(ops=tuple(ops), caveats=caveats)


def _key_types(op: BulkInsertOp, keys: tuple[str, ...], row: dict[str, Any]) -> dict[str, Any]:
    """Key column types, to render the values as literals: the migration's table definition,
    else the type SQLAlchemy infers from the first row's value."""
    given = {
        fold(c.name): c.type for c in op.table.columns if not isinstance(c.type, sa.types.NullType)
    }
    return {k: given.get(fold(k), sa.literal(row[fold(k)]).type) for k in keys}
