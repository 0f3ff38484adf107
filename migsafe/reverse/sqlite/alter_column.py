"""Reverse of ``alter_column`` on SQLite (run in batch mode: SQLite has no ALTER COLUMN).

The table is rebuilt from the ``CREATE TABLE`` saved before the step, which undoes a new
name, type, default and NULL-ability at once. Only a type change can change values, and
SQLite is lenient: a column's type only sets its *affinity*, which converts a value on the
way in when that conversion is lossless, and leaves it alone otherwise (``'abc'`` stays text
in an INTEGER column). Alembic's batch copy also ``CAST``s the values when SQLAlchemy sees a
different type family, and ``CAST`` is not lenient (``CAST('12abc' AS INTEGER)`` is 12).
So each value is run through both ways there, and back into the old type, in a scratch
TEMP table; when any value does not come back identical (``quote()`` shows storage class
and value: ``'1.50'`` -> 1.5 -> ``'1.5'``, 9007199254740993 -> REAL -> ...992), the old
values are archived by primary key and the rebuild takes them from there.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.operations.ops import AlterColumnOp

from migsafe.reverse.archive import new_tag
from migsafe.reverse.model import Reverse
from migsafe.reverse.sqlite._sql import fold, q, run
from migsafe.reverse.sqlite.finish import after_operation, column_archive
from migsafe.reverse.sqlite.model import SqliteColumnArchive
from migsafe.reverse.sqlite.restore import Hints
from migsafe.reverse.sqlite.schema import Column, Table, read_schema


def reverse_alter_column(op: AlterColumnOp, conn: sa.Connection) -> Reverse:
    pre = read_schema(conn)
    table = pre.table(op.table_name)
    if table is None:
        return Reverse.refused(f"table {op.table_name} does not exist: alter_column would fail")
    col = table.column(op.column_name)
    if col is None:
        return Reverse.refused(f"column {op.column_name} does not exist: the alter would fail")
    now = op.modify_name or col.name
    columns = {(fold(table.name), fold(col.name)): now} if op.modify_name else {}
    restores: tuple[tuple[SqliteColumnArchive, str | None], ...] = ()
    if op.modify_type is not None and col.insertable and _lossy(conn, table, col, op.modify_type):
        kept = column_archive(conn, pre, table.name, col.name, "the values the type change loses")
        if isinstance(kept, str):
            return Reverse.refused(kept)
        restores = ((kept, now),)
    return after_operation(
        pre, Hints(columns=columns, restores=restores), archive=tuple(a for a, _ in restores)
    )


def _lossy(conn: sa.Connection, table: Table, col: Column, new_type: Any) -> bool:
    """True when some value would not come back identical from the new type.

    Probed in a savepoint with a TEMP table, so nothing of it outlives the call.
    """
    if isinstance(new_type, type):
        new_type = new_type()  # a type class, as in alter_column(type_=sa.Text)
    spec = str(new_type.compile(dialect=conn.dialect))
    probe = q(f"migsafe_probe_{new_tag()}")
    old = col.type  # declared type text as stored; empty for none
    value = q(col.name)
    statements = [
        f"CREATE TEMP TABLE {probe} (orig, plain {spec}, casted {spec}, "
        f"plain_back {old}, casted_back {old})",
        f"INSERT INTO temp.{probe} (orig, plain, casted) "
        f"SELECT {value}, {value}, CAST({value} AS {spec}) FROM main.{q(table.name)}",
        f"UPDATE temp.{probe} SET plain_back = plain, casted_back = casted",
    ]
    check = (
        f"SELECT EXISTS (SELECT 1 FROM temp.{probe} WHERE quote(plain_back) IS NOT quote(orig) "
        "OR quote(casted_back) IS NOT quote(orig))"
    )
    try:
        with conn.begin_nested():
            for stmt in statements:
                run(conn, stmt)
            lossy = bool(run(conn, check))
            run(conn, f"DROP TABLE temp.{probe}")
    except sa.exc.DBAPIError:
        return True  # values the probe cannot even convert: keep them
    return lossy
