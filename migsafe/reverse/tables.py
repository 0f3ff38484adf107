"""Reverses of ``create_table``, ``drop_table``, ``rename_table`` and table comments.

A dropped table is not dropped: it is moved into the archive schema under a unique name
(:class:`~migsafe.reverse.model.TableArchive`), which keeps every row, index, constraint,
trigger, grant and comment, and costs no copy. The reverse moves it back. Where a plain
``DROP TABLE`` would fail or reach beyond the table (foreign keys from other tables, views,
inheritance, partitions), moving it would not be the same thing: that drop is left to run as
written and reported irreversible.

Enum types that SQLAlchemy creates along with a table (``sa.Enum`` columns) are dropped by the
reverse of ``create_table`` when they did not exist before it. The types of an archived table
stay, since it still uses them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.operations.ops import (
    CreateTableCommentOp,
    CreateTableOp,
    DropTableCommentOp,
    DropTableOp,
    MigrateOperation,
    RenameTableOp,
)

from migsafe.reverse._sql import ident, statement
from migsafe.reverse.archive import archive_name, new_tag, prefixed_name
from migsafe.reverse.model import Reverse, TableArchive
from migsafe.reverse.ops import RestoreArchiveOp
from migsafe.reverse.reflect import (
    Live,
    creation_schema,
    pinned_search_path,
    relation,
    table_comment,
)
from migsafe.reverse.reflect_objects import table_facts, user_type


def reverse_create_table(op: CreateTableOp, live: Live) -> Reverse:
    schema = creation_schema(live.conn, op.schema)
    if schema is None:
        return Reverse.refused("no schema to create the table in (empty search_path)")
    if relation(live.conn, op.table_name, schema) is not None:
        if op.if_not_exists:
            return Reverse.nothing()
        return Reverse.failing(f"table {schema}.{op.table_name} exists: create_table")
    ops: list[MigrateOperation] = [DropTableOp(op.table_name, schema=schema)]
    for type_schema, name in _enums_it_creates(live, op, schema):
        ops.append(statement("DROP TYPE {}", ident(type_schema, name)))
    return Reverse(ops=tuple(ops))


def _enums_it_creates(live: Live, op: CreateTableOp, schema: str) -> list[tuple[str, str]]:
    """Native enum types that SQLAlchemy's table-create event will create (it checks first)."""
    found: dict[tuple[str, str], None] = {}
    for item in op.columns:
        if not isinstance(item, sa.Column):
            continue
        type_: Any = item.type
        if isinstance(type_, sa.ARRAY):
            type_ = type_.item_type
        if not isinstance(type_, sa.Enum) or not type_.native_enum or not type_.name:
            continue
        if not getattr(type_, "create_type", True) or type_.metadata is not None:
            continue
        # ``inherit_schema`` (deprecated in SQLAlchemy 2.1, still honoured) puts the type in
        # the table's schema; the public property warns, so read what it reads.
        inherits = getattr(type_, "_inherit_schema", False)
        type_schema = type_.schema or (schema if inherits else None)
        type_schema = creation_schema(live.conn, type_schema) or schema
        qualified = ident(type_schema, type_.name).as_string(None)
        if user_type(live.conn, qualified) is None:
            found[(type_schema, type_.name)] = None
    return list(found)


def reverse_drop_table(op: DropTableOp, live: Live) -> Reverse:
    table = relation(live.conn, op.table_name, op.schema)
    if table is None:
        if op.if_exists:
            return Reverse.nothing()
        return Reverse.failing(f"table {op.table_name} does not exist: drop_table")
    with pinned_search_path(live.conn):
        facts = table_facts(live.conn, table)
    if facts.blockers:
        return Reverse.refused(
            f"{table.schema}.{table.name} cannot be archived by moving it: "
            + "; ".join(facts.blockers)
        )
    tag = new_tag()
    renames = [("INDEX", name, prefixed_name(name, tag)) for name in facts.indexes]
    renames += [("SEQUENCE", name, prefixed_name(name, tag)) for name in facts.sequences]
    action = TableArchive(
        schema=table.schema,
        table=table.name,
        archive_schema=live.archive_schema,
        archive_table=archive_name((table.name,), tag),
        renames=tuple(renames),
        foreign_keys=facts.foreign_keys,
    )
    # Archiving *is* the drop here: the operation itself is replaced by nothing.
    return Reverse(ops=(RestoreArchiveOp(action),), archive=(action,), replace_with=())


def reverse_rename_table(op: RenameTableOp, live: Live) -> Reverse:
    table = relation(live.conn, op.table_name, op.schema)
    if table is None:
        return Reverse.failing(f"table {op.table_name} does not exist: the rename")
    return Reverse(ops=(RenameTableOp(op.new_table_name, table.name, schema=table.schema),))


def reverse_table_comment(op: CreateTableCommentOp | DropTableCommentOp, live: Live) -> Reverse:
    table = relation(live.conn, op.table_name, op.schema)
    if table is None:
        return Reverse.failing(f"table {op.table_name} does not exist: the comment")
    current = table_comment(live.conn, table)
    if current is None:
        return Reverse(ops=(DropTableCommentOp(table.name, schema=table.schema),))
    return Reverse(ops=(CreateTableCommentOp(table.name, current, schema=table.schema),))
