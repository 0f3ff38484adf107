"""Reverses of ``add_column`` and ``drop_column``.

An added column is undone by dropping it. (When a revert runs that drop, the runner computes
*its* reverse with :func:`reverse_drop_column`, which archives the values written since:
reverting an added column keeps them.)

A dropped column is undone by adding it back exactly as the catalogs describe it, putting its
archived values back by primary key, and only then restoring what PostgreSQL could not accept
before the values were there: NOT NULL, the identity's ALWAYS, the indexes and constraints that
used the column (a DROP COLUMN drops them silently), and the position of an owned sequence.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from alembic.operations.ops import AddColumnOp, AlterColumnOp, DropColumnOp, MigrateOperation
from psycopg import sql

from migsafe.reverse._sql import VerbatimType, ident, server_default, statement
from migsafe.reverse.archive import archive_name, new_tag
from migsafe.reverse.checks import exact_check
from migsafe.reverse.model import ArchivedColumn, ColumnArchive, Reverse
from migsafe.reverse.ops import RestoreArchiveOp
from migsafe.reverse.recreate import constraint_ops, index_ops
from migsafe.reverse.reflect import (
    ColumnDef,
    Live,
    Relation,
    SequenceDef,
    column,
    deferred_constraints,
    firing_triggers,
    pinned_search_path,
    primary_key,
    relation,
    scalar,
)
from migsafe.reverse.reflect_objects import (
    constraints_on_column,
    indexes_on_column,
    statistics_on_column,
)

LAST_COLUMN_CAVEAT = "column {} comes back as the table's last column (PostgreSQL cannot reorder)"


def reverse_add_column(op: AddColumnOp, live: Live) -> Reverse:
    table = relation(live.conn, op.table_name, op.schema)
    if table is None:
        return Reverse.failing(f"table {op.table_name} does not exist: add_column")
    name = op.column.name
    if op.if_not_exists and _exists(live, table, name):
        return Reverse.nothing()
    return Reverse(ops=(DropColumnOp(table.name, name, schema=table.schema),))


def reverse_drop_column(op: DropColumnOp, live: Live) -> Reverse:
    table = relation(live.conn, op.table_name, op.schema)
    if table is None:
        return Reverse.failing(f"table {op.table_name} does not exist: drop_column")
    with pinned_search_path(live.conn):
        col = column(live.conn, table, op.column_name)
        if col is None:
            if op.if_exists:
                return Reverse.nothing()
            return Reverse.failing(f"column {op.column_name} does not exist: the drop")
        return _readd(live, table, col)


def column_archive(
    live: Live, table: Relation, col: ColumnDef, what: str, *, retype: bool = False
) -> ColumnArchive | str:
    """Where *col*'s values are kept, keyed by primary key; or why *what* cannot be kept."""
    keys = primary_key(live.conn, table)
    where = f"{table.schema}.{table.name}"
    if not keys:
        return f"{where} has no primary key: {what} could not be matched back to their rows"
    if col.name in keys:
        return f"{where}.{col.name} is part of the primary key: {what} would have no key"
    key_defs = [column(live.conn, table, k) for k in keys]
    return ColumnArchive(
        schema=table.schema,
        table=table.name,
        value=_archived(col),
        keys=tuple(_archived(k) for k in key_defs if k is not None),
        archive_schema=live.archive_schema,
        archive_table=archive_name((table.name, col.name), new_tag()),
        triggers=firing_triggers(live.conn, table),
        deferred=deferred_constraints(
            live.conn, table, without_attnum=None if retype else col.attnum
        ),
        retype_to=col.type_spec if retype else None,
    )


def _archived(col: ColumnDef) -> ArchivedColumn:
    return ArchivedColumn(col.name, col.type_sql, as_text=not col.builtin_type)


def _exists(live: Live, table: Relation, name: str) -> bool:
    with pinned_search_path(live.conn):
        return column(live.conn, table, name) is not None


def _readd(live: Live, table: Relation, col: ColumnDef) -> Reverse:
    action: ColumnArchive | None = None
    if not col.generated:  # a generated column's values come back by themselves
        kept = column_archive(live, table, col, "the dropped values")
        if isinstance(kept, str):
            return Reverse.refused(kept)
        # An identity or a serial gives the rows written since their values by itself.
        action = replace(
            kept,
            dropped=True,
            not_null=col.not_null,
            has_default=col.default is not None or bool(col.identity),
        )
    conn, schema = live.conn, table.schema
    seq = col.sequence
    ops: list[MigrateOperation] = []
    if seq is not None and not seq.identity:
        ops.append(_create_sequence(seq))
    ops.append(AddColumnOp(table.name, _column(col), schema=schema))
    if seq is not None and seq.identity:
        ops += _rename_identity_sequence(table, col, seq)
    if action is not None:
        ops.append(RestoreArchiveOp(action))
    if seq is not None:
        ops.append(_setval(seq))
        if not seq.identity:
            ops.append(
                statement(
                    "ALTER SEQUENCE {} OWNED BY {}.{}",
                    ident(seq.schema, seq.name),
                    ident(schema, table.name),
                    sql.Identifier(col.name),
                )
            )
    if col.identity == "a":
        ops.append(
            statement(
                "ALTER TABLE {} ALTER COLUMN {} SET GENERATED ALWAYS",
                ident(schema, table.name),
                sql.Identifier(col.name),
            )
        )
    if col.not_null and not col.identity and not col.generated:
        ops.append(AlterColumnOp(table.name, col.name, modify_nullable=False, schema=schema))
    for index in indexes_on_column(conn, table, col.attnum):
        ops += index_ops(index, schema)
    for con in constraints_on_column(conn, table, col.attnum):
        ops += constraint_ops(exact_check(conn, table, con), schema, table.name)
    return Reverse(
        ops=tuple(ops),
        archive=() if action is None else (action,),
        caveats=tuple(_caveats(live, table, col)),
    )


def _caveats(live: Live, table: Relation, col: ColumnDef) -> list[str]:
    out = []
    last = scalar(
        live.conn,
        "SELECT max(attnum) FROM pg_catalog.pg_attribute "
        "WHERE attrelid = :oid AND attnum > 0 AND NOT attisdropped",
        oid=table.oid,
    )
    if col.attnum != last:
        out.append(LAST_COLUMN_CAVEAT.format(col.name))
    if col.acl:
        out.append(f"column privileges on {col.name} are not granted again")
    if statistics_on_column(live.conn, table, col.attnum):
        out.append(f"extended statistics using {col.name} are not re-created")
    return out


def _column(col: ColumnDef) -> sa.Column[Any]:
    """The column as ``add_column`` re-creates it: nullable until its values are back, an
    identity BY DEFAULT so they can be written (ALWAYS and NOT NULL come after)."""
    args: list[Any] = []
    kw: dict[str, Any] = {"comment": col.comment}
    seq = col.sequence
    if col.generated:
        args.append(sa.Computed(sa.literal_column(col.default or "NULL"), persisted=True))
        kw["nullable"] = not col.not_null
    elif col.identity and seq is not None:
        args.append(
            sa.Identity(
                always=False,
                start=seq.start,
                increment=seq.increment,
                minvalue=seq.minimum,
                maxvalue=seq.maximum,
                cycle=seq.cycle,
                cache=seq.cache,
            )
        )
    else:
        kw["nullable"] = True
        kw["server_default"] = server_default(col.default)
    return sa.Column(col.name, VerbatimType(col.type_spec), *args, **kw)


def _create_sequence(seq: SequenceDef) -> MigrateOperation:
    return statement(
        "CREATE SEQUENCE {} AS {} INCREMENT BY {} MINVALUE {} MAXVALUE {} START WITH {} "
        "CACHE {} {}",
        ident(seq.schema, seq.name),
        seq.type_sql,
        sql.Literal(seq.increment),
        sql.Literal(seq.minimum),
        sql.Literal(seq.maximum),
        sql.Literal(seq.start),
        sql.Literal(seq.cache),
        "CYCLE" if seq.cycle else "NO CYCLE",
    )


def _setval(seq: SequenceDef) -> MigrateOperation:
    """Put the sequence where it was: re-adding the column drew values from it."""
    called = seq.last_value is not None
    return statement(
        "SELECT pg_catalog.setval({}, {}, {})",
        sql.Literal(ident(seq.schema, seq.name).as_string(None)),
        sql.Literal(seq.last_value if called else seq.start),
        sql.Literal(called),
    )


def _rename_identity_sequence(
    table: Relation, col: ColumnDef, seq: SequenceDef
) -> list[MigrateOperation]:
    """An identity's sequence is re-created under PostgreSQL's default name; the original may
    differ (the table was renamed since), and sequence names are part of the schema."""
    default = default_sequence_name(table.name, col.name)
    if seq.schema == table.schema and seq.name == default:
        return []
    return [
        statement(
            "ALTER SEQUENCE {} RENAME TO {}",
            ident(table.schema, default),
            sql.Identifier(seq.name),
        )
    ]


def default_sequence_name(table: str, column_name: str) -> str:
    """PostgreSQL's ``makeObjectName(table, column, "seq")``: the longer part is trimmed
    until ``table_column_seq`` fits in 63 bytes (the numbered fallback is not modelled)."""
    first, second = table.encode(), column_name.encode()
    available = 63 - len("seq") - 2
    n1, n2 = len(first), len(second)
    while n1 + n2 > available:
        if n1 > n2:
            n1 -= 1
        else:
            n2 -= 1
    clip1 = first[:n1].decode(errors="ignore")
    clip2 = second[:n2].decode(errors="ignore")
    return f"{clip1}_{clip2}_seq"
