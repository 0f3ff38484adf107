"""Reverses of ``create_table``, ``drop_table`` and ``rename_table`` on SQLite.

A dropped table is renamed into the archive instead (``migsafe_archive__<table>__<tag>``),
which costs no copy; its index and trigger names are freed, their SQL kept. The reverse
rebuilds it under its name from its saved ``CREATE TABLE`` (a rename back would store the
name quoted), with its rows, indexes and triggers. A created table is archived the same way
when reverted, so rows written into it since are kept. A renamed table is rebuilt under
its old name, and whatever the rename rewrote elsewhere (foreign keys, views, triggers
naming it, unless ``legacy_alter_table`` was on) is put back from the saved text.

With ``foreign_keys`` on, ``DROP TABLE`` first deletes the rows, which cascades into other
tables or fails, and renaming rewrites their foreign keys: a referenced table is refused.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic.operations.ops import CreateTableOp, DropTableOp, RenameTableOp

from migsafe.reverse.archive import new_tag
from migsafe.reverse.model import Reverse
from migsafe.reverse.sqlite._sql import fold, q
from migsafe.reverse.sqlite.archive import archive_table_name
from migsafe.reverse.sqlite.finish import after_operation
from migsafe.reverse.sqlite.model import Rebuild, SqliteTableArchive
from migsafe.reverse.sqlite.rebuild import RebuildTableOp
from migsafe.reverse.sqlite.restore import Hints
from migsafe.reverse.sqlite.schema import pragma_flag, read_schema


def reverse_create_table(op: CreateTableOp, conn: sa.Connection) -> Reverse:
    pre = read_schema(conn)
    if pre.table(op.table_name) is not None:
        if op.if_not_exists:
            return Reverse.nothing()
        return Reverse.refused(f"table {op.table_name} exists: create_table would fail")
    return after_operation(pre)


def reverse_rename_table(op: RenameTableOp, conn: sa.Connection) -> Reverse:
    pre = read_schema(conn)
    table = pre.table(op.table_name)
    if table is None:
        return Reverse.refused(f"table {op.table_name} does not exist: the rename would fail")
    return after_operation(pre, Hints(tables={fold(table.name): op.new_table_name}))


def reverse_drop_table(op: DropTableOp, conn: sa.Connection) -> Reverse:
    pre = read_schema(conn)
    table = pre.table(op.table_name)
    if table is None:
        if op.if_exists:
            return Reverse.nothing()
        return Reverse.refused(f"table {op.table_name} does not exist: drop_table would fail")
    if table.virtual:
        return Reverse.refused(f"{table.name} is a virtual table: it is not archived")
    children = pre.children(table.name)
    if children and pragma_flag(conn, "foreign_keys"):
        return Reverse.refused(
            f"{table.name} is referenced by foreign keys of {', '.join(children)} and "
            "foreign_keys is on: dropping it deletes its rows first, which reaches them"
        )
    tag = new_tag()
    indexes = pre.attached(table.name, "index")
    triggers = pre.attached(table.name, "trigger")
    action = SqliteTableArchive(
        table=table.name,
        archive_table=archive_table_name(table.name, tag=tag),
        indexes=tuple(e.name for e in indexes),
        triggers=tuple(e.name for e in triggers),
        legacy_alter_table=pragma_flag(conn, "legacy_alter_table"),
    )
    rowid = table.rowid_alias()
    restore = Rebuild(
        source=action.archive_table,
        target=table.name,
        ddl=table.sql,
        columns=tuple((c.name, f"live.{q(c.name)}") for c in table.columns if c.insertable),
        scratch=f"migsafe_old__{table.name}__{tag}",
        rowid=rowid,
        autoincrement=table.autoincrement,
        after=tuple(e.sql for e in (*indexes, *triggers)),
    )
    # Archiving *is* the drop: the operation itself is replaced by nothing.
    return Reverse(ops=(RebuildTableOp(restore),), archive=(action,), replace_with=())
