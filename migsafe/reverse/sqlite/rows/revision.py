"""Row capture for one revision on SQLite: the interface of ``reverse/rows``' RevisionRows.

A segment opens at the first statement that may write rows (``INSERT``/``UPDATE``/
``DELETE``, a ``WITH`` that ends in one, an ORM flush, a ``bulk_insert`` whose keys SQLite
makes): every user table gets its TEMP triggers (SQLite locks the whole database for a writer
anyway, so watching them all costs no concurrency). The segment ends before the next other
operation: the triggers are dropped, and its reverse is computed while the tables still have
the shape its rows were written in. Tables the revision created are not watched (their
reverse drops them), nor migsafe's own, the version table or archives.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa

from migsafe.reverse._sql import verbatim
from migsafe.reverse.model import Reverse
from migsafe.reverse.sqlite._sql import fold, q, run
from migsafe.reverse.sqlite.raw_sql import names_in, replaces_on_conflict, writes_rows
from migsafe.reverse.sqlite.rows.log import (
    Logged,
    create_log,
    describe,
    has_rows,
    log_bytes,
    null_keys,
    parents_first,
    triggers,
    user_tables,
)
from migsafe.reverse.sqlite.rows.restore import restore_segment

_TRIGGER_IDS = itertools.count(1)  # TEMP trigger names, unique on the connection


@dataclass(frozen=True)
class SqliteWrites:
    any: bool


@dataclass
class SqliteRevisionRows:
    skip_tables: Collection[str]  # migsafe's tables and the version table
    created_tables: Collection[str]  # made by the revision: never watched (folded names)
    captured: list[Logged] = field(default_factory=list)  # per segment and table
    anywhere: list[str] = field(default_factory=list)  # always empty: all tables are watched
    _logs: dict[tuple[Any, ...], Logged] = field(default_factory=dict)  # by shape
    _segment: int = 0
    _open: list[Logged] = field(default_factory=list)
    _triggers: list[str] = field(default_factory=list)

    @staticmethod
    def writes(sql_text: str) -> SqliteWrites:
        return SqliteWrites(writes_rows(sql_text))

    def before_write(self, conn: sa.Connection, sql_text: str) -> None:
        """Watch every user table, unless a segment is open already."""
        if not writes_rows(sql_text) or self._triggers:
            return
        self._segment += 1
        skip = {fold(t.rsplit(".", 1)[-1]) for t in self.skip_tables}
        skip |= {fold(t) for t in self.created_tables}
        self._open = []
        for table in user_tables(conn, skip):
            columns, key = describe(conn, table)
            logged = self._logs.get((fold(table), columns, key))
            if logged is None:
                logged = create_log(conn, table)
                self._logs[logged.shape] = logged
            self._open.append(logged)
            for name, sql in triggers(logged, self._segment, next(_TRIGGER_IDS)):
                run(conn, sql)
                self._triggers.append(name)

    def blind_spot(self, conn: sa.Connection, sql_text: str) -> str | None:
        """Why the triggers could miss rows *sql_text* removes, or None. A table declared
        with ``ON CONFLICT REPLACE`` deletes the rows in an insert's or update's way without
        firing any delete trigger; it is at risk when the statement names it, or when a
        trigger or a foreign key action may write it."""
        names = names_in(sql_text)
        if not {"INSERT", "UPDATE"} & {n.upper() for n in names}:
            return None  # a DELETE replaces nothing
        rows = conn.exec_driver_sql(
            "SELECT type, name, sql FROM main.sqlite_master WHERE type IN ('table', 'trigger')"
        ).all()
        triggers = any(kind == "trigger" for kind, _, _ in rows)
        for kind, name, sql in rows:
            if kind != "table" or not replaces_on_conflict(sql or ""):
                continue
            if fold(name) in {fold(t) for t in self.created_tables}:
                continue
            cascades = conn.exec_driver_sql(f"PRAGMA main.foreign_key_list({q(name)})").all()
            if fold(name) in names or triggers or cascades:
                return (
                    f"table {name} declares ON CONFLICT REPLACE: the rows it deletes to make "
                    "room fire no delete trigger, so their before-images could not be kept"
                )
        return None

    def before_operation(self, conn: sa.Connection) -> Reverse | None:
        """End the open segment (if any): its reverse, to be ordered before the next one's."""
        if not self._triggers:
            return None
        self._drop_triggers(conn)
        written = [t for t in self._open if has_rows(conn, t.log, self._segment)]
        self._open = []
        if not written:
            return None
        self.captured.extend(written)
        # SQLite lets a rowid table's non-INTEGER key be NULL: such rows have no key to be
        # told apart by, so the whole table is matched by whole rows.
        written = [replace(t, key=()) if null_keys(conn, t, self._segment) else t for t in written]
        by_name = {fold(t.table): t for t in written}
        order = [by_name[fold(n)] for n in parents_first(conn, [t.table for t in written])]
        statements = restore_segment(order, _table_triggers(conn, order), self._segment)
        return Reverse(ops=tuple(verbatim(s) for s in statements))

    def size(self, conn: sa.Connection) -> int:
        return sum(log_bytes(conn, t) for t in {t.log: t for t in self.captured}.values())

    def close(self, conn: sa.Connection, *, keep: bool) -> list[dict[str, Any]]:
        """Drop the triggers; keep the logs that hold rows as archives, or drop them all."""
        self._drop_triggers(conn)
        kept: list[dict[str, Any]] = []
        for logged in self._logs.values():
            if keep and has_rows(conn, logged.log):
                kept.append(
                    {
                        "when": "upgrade",
                        "kind": "rows",
                        "schema": None,
                        "table": logged.table,
                        "archive_schema": None,
                        "archive_table": logged.log,
                    }
                )
            else:
                run(conn, f"DROP TABLE main.{q(logged.log)}")
        self._logs.clear()
        return kept

    def _drop_triggers(self, conn: sa.Connection) -> None:
        for name in self._triggers:
            run(conn, f"DROP TRIGGER IF EXISTS temp.{q(name)}")
        self._triggers = []


def _table_triggers(conn: sa.Connection, tables: list[Logged]) -> list[tuple[str, str]]:
    """The main database's triggers on *tables*: dropped and made again around a restore."""
    names = {fold(t.table) for t in tables}
    rows = conn.exec_driver_sql(
        "SELECT name, tbl_name, sql FROM main.sqlite_master WHERE type = 'trigger' ORDER BY rowid"
    ).all()
    return [(name, sql) for name, tbl, sql in rows if fold(tbl) in names]
