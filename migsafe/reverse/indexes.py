"""Reverses of ``create_index`` and ``drop_index``.

A dropped index is rebuilt from ``pg_get_indexdef``, which carries uniqueness, the access
method, INCLUDE columns, the WHERE clause, expressions, opclasses and collations; its comment
and CLUSTER mark come back too.
"""

from __future__ import annotations

from alembic.operations.ops import CreateIndexOp, DropIndexOp

from migsafe.reverse.model import Reverse
from migsafe.reverse.recreate import index_ops
from migsafe.reverse.reflect import Live, pinned_search_path, relation
from migsafe.reverse.reflect_objects import index

_INDEX_KINDS = ("i", "I")  # index, partitioned index


def reverse_create_index(op: CreateIndexOp, live: Live) -> Reverse:
    name = op.index_name
    if not name:
        return Reverse.refused("create_index without a name: the reverse could not find it")
    table = relation(live.conn, op.table_name, op.schema)
    if table is None:
        return Reverse.failing(f"table {op.table_name} does not exist: create_index")
    if relation(live.conn, str(name), table.schema) is not None:
        if op.if_not_exists:
            return Reverse.nothing()
        return Reverse.failing(f"{table.schema}.{name} exists: create_index")
    caveats: tuple[str, ...] = ()
    if op.kw.get("postgresql_concurrently"):
        caveats = ("the reverse drops the index without CONCURRENTLY, inside the transaction",)
    drop = DropIndexOp(str(name), table_name=table.name, schema=table.schema)
    return Reverse(ops=(drop,), caveats=caveats)


def reverse_drop_index(op: DropIndexOp, live: Live) -> Reverse:
    rel = relation(live.conn, str(op.index_name), op.schema)
    if rel is None or rel.kind not in _INDEX_KINDS:
        if op.if_exists:
            return Reverse.nothing()
        return Reverse.failing(f"index {op.index_name} does not exist: drop_index")
    if rel.kind == "I":
        return Reverse.refused(
            f"{rel.schema}.{rel.name} is a partitioned index: dropping it drops its partitions' "
            "indexes too, which are not rebuilt yet"
        )
    with pinned_search_path(live.conn):
        found = index(live.conn, rel)
    if found is None or found.constraint is not None:
        owner = found.constraint if found is not None else "?"
        return Reverse.refused(
            f"index {rel.schema}.{rel.name} belongs to constraint {owner}: "
            "PostgreSQL refuses to drop it (drop the constraint instead)"
        )
    return Reverse(ops=tuple(index_ops(found, rel.schema)))
