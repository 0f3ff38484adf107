"""Reverses of adding and dropping constraints (primary key, unique, check, foreign key,
exclusion).

A dropped constraint comes back from ``pg_get_constraintdef``: columns, ON DELETE/ON UPDATE,
MATCH, DEFERRABLE/INITIALLY, NOT VALID, NO INHERIT, INCLUDE and index options included.
Adding a primary key also sets NOT NULL on its columns; its reverse drops NOT NULL again where
the column allowed NULLs before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic.operations.ops import (
    AddConstraintOp,
    AlterColumnOp,
    DropConstraintOp,
    MigrateOperation,
)

from migsafe.reverse.checks import exact_check
from migsafe.reverse.model import Reverse
from migsafe.reverse.recreate import constraint_ops
from migsafe.reverse.reflect import Live, Relation, column, pinned_search_path, relation
from migsafe.reverse.reflect_objects import constraint, table_constraints


def reverse_add_constraint(op: AddConstraintOp, live: Live) -> Reverse:
    con = op.to_constraint()
    owner = getattr(con, "table", None)
    if not isinstance(owner, sa.Table):
        return Reverse.refused(f"constraint {con.name} is not attached to a table")
    columns = [c.name for c in getattr(con, "columns", ())]
    name = con.name if isinstance(con.name, str) else None
    is_pk = isinstance(con, sa.PrimaryKeyConstraint)
    return undo_add_constraint(live, owner.name, owner.schema, name, is_pk, columns)


def undo_add_constraint(
    live: Live,
    table_name: str,
    schema: str | None,
    name: str | None,
    primary_key: bool,
    columns: list[str],
) -> Reverse:
    """Drop the constraint again; for a primary key, let its columns accept NULLs again
    where they did before (adding the key made them NOT NULL).

    A constraint added without a name (``op.create_foreign_key(None, ...)``) is named by the
    server: the reverse is finished once it ran, dropping the one constraint it added."""
    table = relation(live.conn, table_name, schema)
    if table is None:
        return Reverse.failing(f"table {table_name} does not exist: the constraint")
    if name and constraint(live.conn, table, name) is not None:
        return Reverse.failing(f"constraint {name} exists on {table.name}: adding it")
    nullable = [
        col_name
        for col_name in (columns if primary_key else [])
        if (col := column(live.conn, table, col_name)) is not None and not col.not_null
    ]
    if name:
        return _drop_added(table, name, nullable)
    before = {c.name for c in table_constraints(live.conn, table)}

    def finish(conn: sa.Connection) -> Reverse:
        added = [c.name for c in table_constraints(conn, table) if c.name not in before]
        if len(added) != 1:
            return Reverse.refused(
                "a constraint without a name, and the server did not add exactly one "
                f"({', '.join(added) or 'none'}): the reverse could not find it"
            )
        return _drop_added(table, added[0], nullable)

    return Reverse(finish=finish)


def _drop_added(table: Relation, name: str, nullable: list[str]) -> Reverse:
    ops: list[MigrateOperation] = [DropConstraintOp(name, table.name, schema=table.schema)]
    ops += [
        AlterColumnOp(table.name, col_name, modify_nullable=True, schema=table.schema)
        for col_name in nullable
    ]
    return Reverse(ops=tuple(ops))


def reverse_drop_constraint(op: DropConstraintOp, live: Live) -> Reverse:
    table = relation(live.conn, op.table_name, op.schema)
    if table is None:
        return Reverse.failing(f"table {op.table_name} does not exist: the drop")
    name = str(op.constraint_name)
    with pinned_search_path(live.conn):
        found = constraint(live.conn, table, name)
        if found is not None:
            found = exact_check(live.conn, table, found)
    if found is None:
        if op.if_exists:
            return Reverse.nothing()
        return Reverse.failing(f"constraint {name} does not exist on {table.name}")
    return Reverse(ops=tuple(constraint_ops(found, table.schema, table.name)))
