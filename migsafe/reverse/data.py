"""Reverse of ``bulk_insert``: delete exactly the inserted rows, by primary key.

Only the primary key tells inserted rows from equal rows that were there before, so a table
without one, or rows that leave their key to the database (serial, identity, defaults), make
the insert irreversible: their keys are not known until after it ran.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.operations.ops import BulkInsertOp, ExecuteSQLOp, MigrateOperation

from migsafe.reverse.model import Reverse
from migsafe.reverse.reflect import Live, firing_triggers, primary_key, relation

#: Keys per DELETE: big enough to be quick, small enough to render and review.
CHUNK = 1000


def reverse_bulk_insert(op: BulkInsertOp, live: Live) -> Reverse:
    name = op.table.name
    schema = getattr(op.table, "schema", None)
    table = relation(live.conn, name, schema)
    if table is None:
        return Reverse.failing(f"table {name} does not exist: bulk_insert")
    if not op.rows:
        return Reverse.nothing()
    keys = primary_key(live.conn, table)
    if not keys:
        return Reverse.refused(
            f"{table.schema}.{table.name} has no primary key: the inserted rows could not be "
            "told apart from equal rows"
        )
    missing = [k for k in keys if any(k not in row for row in op.rows)]
    if missing:
        return Reverse.refused(
            f"the inserted rows do not carry primary key column(s) {', '.join(missing)}: "
            "the database generates them, so they are unknown before the insert"
        )
    types = _key_types(live, op, table.name, table.schema, keys)
    target = sa.table(table.name, *[sa.column(k, types[k]) for k in keys], schema=table.schema)
    values = [tuple(row[k] for k in keys) for row in op.rows]
    ops: list[MigrateOperation] = []
    for start in range(0, len(values), CHUNK):
        chunk = values[start : start + CHUNK]
        if len(keys) == 1:
            where = target.c[keys[0]].in_([v[0] for v in chunk])
        else:
            where = sa.tuple_(*[target.c[k] for k in keys]).in_(chunk)
        ops.append(ExecuteSQLOp(sa.delete(target).where(where)))
    caveats: tuple[str, ...] = ()
    if firing_triggers(live.conn, table):
        caveats = (
            f"{table.name} has triggers: what they did on insert is not undone, "
            "and the delete fires them again",
        )
    return Reverse(ops=tuple(ops), caveats=caveats)


def _key_types(
    live: Live, op: BulkInsertOp, name: str, schema: str, keys: tuple[str, ...]
) -> dict[str, Any]:
    """Key column types, for rendering the values as literals: the migration's own table
    definition when it has one, else SQLAlchemy's reflection."""
    given = {c.name: c.type for c in op.table.columns if not isinstance(c.type, sa.types.NullType)}
    if all(k in given for k in keys):
        return {k: given[k] for k in keys}
    reflected = {c["name"]: c["type"] for c in sa.inspect(live.conn).get_columns(name, schema)}
    return {k: given.get(k, reflected.get(k, sa.types.NullType())) for k in keys}
