"""Reverse of ``alter_column``: put back the name, type, default, nullability and comment the
column has right now.

Each changed attribute is undone by its own operation, in an order that cannot trip over
itself: the name first (so the rest address the original column), the default dropped before
the type goes back (a new default may not cast back to the old type), values restored while
the column has its old type, then the old default, NULL-ability and comment.

A type change also re-parses the CHECK constraints and index expressions that use the column
(``price >= 0`` becomes ``price::numeric >= 0`` after a round trip through ``integer``), so
the reverse rebuilds those from their saved definitions.

A type that brings a constraint (``Enum(native_enum=False, create_constraint=True)``) makes
Alembic add a CHECK constraint after the change, and an ``existing_type`` like it makes Alembic
drop one before: the reverse drops the first and re-creates the second from the catalogs.

A type change is checked against the live rows: when every value converts to the new type
and back to the same text, the reverse needs no data; otherwise (a narrowing change such as
``text`` to ``varchar(10)``, or ``numeric(12,4)`` to ``numeric(12,2)``) the old values are
archived and restored by primary key.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from alembic.operations.ops import (
    AlterColumnOp,
    DropConstraintOp,
    DropIndexOp,
    MigrateOperation,
)
from psycopg import sql

from migsafe.reverse._sql import VerbatimType, ident, run_verbatim, server_default, verbatim
from migsafe.reverse.checks import exact_check
from migsafe.reverse.columns import column_archive
from migsafe.reverse.model import ColumnArchive, Reverse
from migsafe.reverse.ops import RestoreArchiveOp
from migsafe.reverse.recreate import constraint_ops, index_ops
from migsafe.reverse.reflect import ColumnDef, Live, Relation, column, pinned_search_path, relation
from migsafe.reverse.reflect_objects import (
    ConstraintDef,
    constraints_on_column,
    indexes_on_column,
    table_constraints,
)


def reverse_alter_column(op: AlterColumnOp, live: Live) -> Reverse:
    table = relation(live.conn, op.table_name, op.schema)
    if table is None:
        return Reverse.failing(f"table {op.table_name} does not exist: alter_column")
    if isinstance(op.modify_server_default, sa.Identity | sa.Computed):
        return Reverse.refused("identity or generated-column changes through alter_column")
    with pinned_search_path(live.conn):
        col = column(live.conn, table, op.column_name)
        if col is None:
            return Reverse.failing(f"column {op.column_name} does not exist: the alter")
        # Constraints the type brings: compared before and after the change (an unnamed one
        # gets its name from the server), see _with_type_constraints.
        before = None
        if _brings_constraints(op, live):
            before = [exact_check(live.conn, table, c) for c in table_constraints(live.conn, table)]
        rebuild: list[MigrateOperation] = []
        if op.modify_type is not None:
            rebuild = _rebuild_reparsed(live, table, col, checks=before is None)
        action: ColumnArchive | None = None
        if op.modify_type is not None and not _converts_back(live, table, col, op):
            kept = column_archive(live, table, col, "the values the type change loses", retype=True)
            if isinstance(kept, str):
                return Reverse.refused(kept)
            action = kept
        reparsed = {c.name for c in constraints_on_column(live.conn, table, col.attnum)}
    ops = _undo(op, table, col, action) + rebuild
    defaulted = _defaults_nulls(op, col)
    rev = Reverse(
        ops=tuple(ops),
        archive=() if action is None else (action,),
        caveats=(NULLS_DEFAULTED,) if defaulted else (),
    )
    if before is None:
        return rev
    return replace(
        rev, finish=lambda conn: _with_type_constraints(rev, conn, table, before, reparsed)
    )


def _brings_constraints(op: AlterColumnOp, live: Live) -> bool:
    """Alembic's ``alter_column`` drops the constraints ``existing_type`` brings before the
    change and adds those the new type brings after it (a non-native ``Enum`` or ``Boolean``
    with ``create_constraint=True``: a CHECK), the way ``alembic.operations.toimpl`` decides."""
    if op.modify_type is None:
        return False
    dialect = live.conn.dialect
    compiler = dialect.statement_compiler(dialect, None)
    for type_ in (op.existing_type, op.modify_type):
        if type_ is None:
            continue
        table = sa.Table("t", sa.MetaData(), sa.Column(op.column_name, type_))
        for con in table.constraints:
            rule = getattr(con, "_create_rule", None)
            if not isinstance(con, sa.PrimaryKeyConstraint) and (rule is None or rule(compiler)):
                return True
    return False


def _with_type_constraints(
    rev: Reverse,
    conn: sa.Connection,
    table: Relation,
    before: list[ConstraintDef],
    reparsed: set[str],
) -> Reverse:
    """Once the change ran: drop the constraints it added first; then re-create from their
    definitions before it those it dropped, and the CHECKs on the column it re-parsed."""
    now = {c.name for c in table_constraints(conn, table)}
    known = {c.name for c in before}
    drop: list[MigrateOperation] = [
        DropConstraintOp(name, table.name, schema=table.schema) for name in sorted(now - known)
    ]
    readd: list[MigrateOperation] = []
    for con in before:
        if con.name in now and con.name in reparsed and con.kind == "c":
            readd.append(DropConstraintOp(con.name, table.name, schema=table.schema))
        if con.name not in now or (con.name in reparsed and con.kind == "c"):
            readd += constraint_ops(con, table.schema, table.name)
    return replace(rev, ops=(*drop, *rev.ops, *readd), finish=None)


def _rebuild_reparsed(
    live: Live, table: Relation, col: ColumnDef, *, checks: bool
) -> list[MigrateOperation]:
    """Drop and re-create, from today's definitions, what a type change re-parses (the CHECK
    constraints only with *checks*: else they are known once the change ran)."""
    out: list[MigrateOperation] = []
    for con in constraints_on_column(live.conn, table, col.attnum) if checks else ():
        if con.kind == "c":
            out.append(DropConstraintOp(con.name, table.name, schema=table.schema))
            out += constraint_ops(exact_check(live.conn, table, con), table.schema, table.name)
    for index in indexes_on_column(live.conn, table, col.attnum):
        if index.expressions:
            out.append(DropIndexOp(index.name, table_name=table.name, schema=table.schema))
            out += index_ops(index, table.schema)
    return out


def _undo(
    op: AlterColumnOp, table: Relation, col: ColumnDef, action: ColumnArchive | None
) -> list[MigrateOperation]:
    def alter(**kw: Any) -> AlterColumnOp:
        return AlterColumnOp(table.name, col.name, schema=table.schema, **kw)

    out: list[MigrateOperation] = []
    if op.modify_name and op.modify_name != col.name:
        out.append(
            AlterColumnOp(table.name, op.modify_name, schema=table.schema, modify_name=col.name)
        )
    if op.modify_type is not None:
        if not (col.identity or col.generated):
            out.append(alter(modify_server_default=None))
        if action is not None:
            # Converts back and restores the archived values in one go: values that lost
            # precision may not even fit the old type any more (99999999.9999 became 1e8).
            out.append(RestoreArchiveOp(action))
        else:
            cast = sql.SQL("CAST({} AS {})").format(sql.Identifier(col.name), sql.SQL(col.type_sql))
            out.append(
                alter(
                    modify_type=VerbatimType(col.type_spec), postgresql_using=cast.as_string(None)
                )
            )
    if (op.modify_type is not None or op.modify_server_default is not False) and not (
        col.identity or col.generated
    ):
        out.append(alter(modify_server_default=server_default(col.default)))
    if op.modify_nullable is not None and op.modify_nullable == col.not_null:
        if _defaults_nulls(op, col):
            out.append(_default_for_nulls(table, col))
        out.append(alter(modify_nullable=not col.not_null))
    if op.modify_comment is not False:
        out.append(alter(modify_comment=col.comment))
    return out


def _defaults_nulls(op: AlterColumnOp, col: ColumnDef) -> bool:
    """Whether undoing *op* makes the column NOT NULL again, with a default to fill in."""
    restores_not_null = op.modify_nullable is True and col.not_null
    return restores_not_null and col.default is not None and not (col.identity or col.generated)


def _default_for_nulls(table: Relation, col: ColumnDef) -> MigrateOperation:
    """Give the NULLs written since the column accepted them its restored default, so that it
    can be NOT NULL again (without a default, the revert fails on them and rolls back)."""
    stmt = sql.SQL("UPDATE {} SET {} = DEFAULT WHERE {} IS NULL").format(
        sql.Identifier(table.schema, table.name), sql.Identifier(col.name), sql.Identifier(col.name)
    )
    return verbatim(stmt.as_string(None))


NULLS_DEFAULTED = "rows written since with NULL in a column made NOT NULL again get its default"


_VARCHAR = re.compile(r"^(?:character varying|varchar)(?:\((\d+)\))?$")
_NUMERIC = re.compile(r"^(?:numeric|decimal)\((\d+),(\d+)\)$")
_INTEGERS = ("smallint", "integer", "bigint")
_INTEGER_NAMES = {"int2": "smallint", "int4": "integer", "int": "integer", "int8": "bigint"}


def widens(old_sql: str, new_sql: str) -> bool:
    """A type change every value survives both ways, text for text, whatever the data:
    a longer (or unbounded) varchar or text, a wider integer, numeric with room for as many
    digits on both sides of the point. Anything else is probed against the data."""
    old = " ".join(old_sql.lower().replace(", ", ",").split())
    new = " ".join(new_sql.lower().replace(", ", ",").split())
    old, new = _INTEGER_NAMES.get(old, old), _INTEGER_NAMES.get(new, new)
    old_char, new_char = _VARCHAR.match(old), _VARCHAR.match(new)
    if old_char and (new == "text" or new_char):
        if new == "text" or new_char is None or new_char.group(1) is None:
            return True
        return old_char.group(1) is not None and int(new_char.group(1)) >= int(old_char.group(1))
    if old == "text" and new_char and new_char.group(1) is None:
        return True
    if old in _INTEGERS and new in _INTEGERS:
        return _INTEGERS.index(new) >= _INTEGERS.index(old)
    old_num, new_num = _NUMERIC.match(old), _NUMERIC.match(new)
    if old_num and new_num:
        p, s_ = int(old_num.group(1)), int(old_num.group(2))
        p2, s2 = int(new_num.group(1)), int(new_num.group(2))
        return s2 >= s_ and p2 - s2 >= p - s_
    return False


def _converts_back(live: Live, table: Relation, col: ColumnDef, op: AlterColumnOp) -> bool:
    """True when every live value survives the new type and the way back, as text.

    Text is what the fingerprint compares, so ``1.50`` becoming ``1.5`` counts as a loss. A
    value the probe cannot convert at all (an error) counts as a loss too; the probe runs in a
    savepoint, so its error does not abort the migration's transaction.
    """
    new_type: Any = op.modify_type
    if isinstance(new_type, type):
        new_type = new_type()  # a type class, as in alter_column(type_=sa.Text)
    new_spec = str(new_type.compile(dialect=live.conn.dialect))
    using = op.kw.get("postgresql_using")
    if not using and widens(col.type_sql, new_spec):
        return True  # every value keeps its text both ways: no need to read the table
    source: sql.Composable = sql.SQL(using) if using else sql.Identifier(col.name)
    probe = sql.SQL(
        "SELECT EXISTS (SELECT 1 FROM {} WHERE CAST({} AS text) IS DISTINCT FROM "
        "CAST(CAST(CAST({} AS {}) AS {}) AS text))"
    ).format(
        ident(table.schema, table.name),
        sql.Identifier(col.name),
        source,
        sql.SQL(new_spec),
        sql.SQL(col.type_sql),
    )
    try:
        with live.conn.begin_nested():
            lossy = run_verbatim(live.conn, probe.as_string(None))
    except sa.exc.DBAPIError:
        return False
    return not lossy
