"""The SQLite row log: one archive table per watched table, filled by TEMP triggers.

SQLite has row triggers only. While a segment of writes is open, every user table carries
three ``CREATE TEMP TRIGGER ... AFTER INSERT/UPDATE/DELETE`` triggers: TEMP, so they live on
the migration's connection alone and no other connection ever fires them. Each copies the
row's ``OLD`` and/or ``NEW`` values into the table's log, ``migsafe_archive__rows__<table>__
<tag>``, a normal table of the main database (archives are; see ``sqlite/archive.py``) whose
columns are the table's, undeclared (no affinity: values kept exactly as read), plus the
segment (a literal in the trigger's body) and whether the image is one the write left
(``NEW``) or removed (``OLD``). The log's rowid is the order the images were written in.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from migsafe.reverse.sqlite._sql import fold, q, run
from migsafe.reverse.sqlite.archive import archive_table_name
from migsafe.reverse.sqlite.schema import ARCHIVE_PREFIX

SEQ = "migsafe_seq"
SEGMENT = "migsafe_segment"
ADDED = "migsafe_added"


@dataclass(frozen=True)
class Column:
    name: str
    generated: bool  # computed by SQLite: logged and compared, never written back


@dataclass(frozen=True)
class Logged:
    """A watched table and the log its images go to (while its shape stays the same)."""

    table: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # the declared primary key; () for a rowid table without one
    log: str

    @property
    def shape(self) -> tuple[str, tuple[Column, ...], tuple[str, ...]]:
        return fold(self.table), self.columns, self.key


def user_tables(conn: sa.Connection, skip: set[str]) -> list[str]:
    """The main database's tables a migration's statement may write: not SQLite's, not
    migsafe's (*skip*: folded names), not archives, not virtual tables (no triggers)."""
    rows = conn.exec_driver_sql(
        "SELECT name, sql FROM main.sqlite_master WHERE type = 'table' ORDER BY rowid"
    ).all()
    return [
        name
        for name, sql in rows
        if not fold(name).startswith(("sqlite_", ARCHIVE_PREFIX))
        and fold(name) not in skip
        and not (sql or "").lstrip().upper().startswith("CREATE VIRTUAL")
    ]


def describe(conn: sa.Connection, table: str) -> tuple[tuple[Column, ...], tuple[str, ...]]:
    """The table's columns and declared primary key, as SQLite reports them."""
    info = conn.exec_driver_sql(f"PRAGMA main.table_xinfo({q(table)})").all()
    # cid, name, type, notnull, dflt_value, pk, hidden (1: a virtual table's hidden column)
    columns = tuple(Column(r[1], r[6] in (2, 3)) for r in info if r[6] != 1)
    key = tuple(r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5]))
    return columns, key


def create_log(conn: sa.Connection, table: str) -> Logged:
    columns, key = describe(conn, table)
    log = archive_table_name("rows", table)
    names = ", ".join(q(c.name) for c in columns)
    run(
        conn,
        f"CREATE TABLE {q(log)} ({q(SEQ)} INTEGER PRIMARY KEY, {q(SEGMENT)} INTEGER NOT NULL, "
        f"{q(ADDED)} INTEGER NOT NULL, {names})",
    )
    return Logged(table, columns, key, log)


def triggers(logged: Logged, segment: int, n: int) -> list[tuple[str, str]]:
    """(name, CREATE TEMP TRIGGER ...) for the three writes of *logged*'s table."""
    names = ", ".join(q(c.name) for c in logged.columns)

    def image(row: str, added: int) -> str:
        values = ", ".join(f"{row}.{q(c.name)}" for c in logged.columns)
        # A trigger's INSERT names its table unqualified; no TEMP table has an archive's name.
        return (
            f"INSERT INTO {q(logged.log)} ({q(SEGMENT)}, {q(ADDED)}, {names}) "
            f"VALUES ({segment}, {added}, {values});"
        )

    out = []
    for event, body in (
        ("INSERT", image("NEW", 1)),
        ("UPDATE", image("OLD", 0) + " " + image("NEW", 1)),
        ("DELETE", image("OLD", 0)),
    ):
        name = f"migsafe_rows_{segment}_{n}_{event.lower()}"
        out.append(
            (
                name,
                f"CREATE TEMP TRIGGER {q(name)} AFTER {event} ON main.{q(logged.table)} "
                f"BEGIN {body} END",
            )
        )
    return out


def has_rows(conn: sa.Connection, log: str, segment: int | None = None) -> bool:
    where = f" WHERE {q(SEGMENT)} = {int(segment)}" if segment is not None else ""
    return bool(run(conn, f"SELECT EXISTS (SELECT 1 FROM main.{q(log)}{where})"))


def null_keys(conn: sa.Connection, logged: Logged, segment: int) -> bool:
    """The segment logged a row whose declared key has a NULL."""
    if not logged.key:
        return False
    nulls = " OR ".join(f"{q(k)} IS NULL" for k in logged.key)
    return bool(
        run(
            conn,
            f"SELECT EXISTS (SELECT 1 FROM main.{q(logged.log)} "
            f"WHERE {q(SEGMENT)} = {int(segment)} AND ({nulls}))",
        )
    )


def log_bytes(conn: sa.Connection, logged: Logged) -> int:
    """About what the log takes: the length of its values as SQL literals."""
    parts = " + ".join(f"length(quote({q(c.name)}))" for c in logged.columns) or "0"
    return int(run(conn, f"SELECT coalesce(sum({parts}), 0) FROM main.{q(logged.log)}") or 0)


def parents_first(conn: sa.Connection, tables: list[str]) -> list[str]:
    """*tables* ordered so that a table comes after the tables its foreign keys reference."""
    wanted = {fold(t): t for t in tables}
    refs: dict[str, set[str]] = {}
    for t in tables:
        rows = conn.exec_driver_sql(f"PRAGMA main.foreign_key_list({q(t)})").all()
        refs[fold(t)] = {fold(r[2]) for r in rows if fold(r[2]) in wanted and fold(r[2]) != fold(t)}
    out: list[str] = []
    done: set[str] = set()

    def visit(name: str, path: set[str]) -> None:
        if name in done or name in path:  # a cycle: any order breaks one of its keys anyway
            return
        for parent in sorted(refs[name]):
            visit(parent, path | {name})
        done.add(name)
        out.append(wanted[name])

    for t in tables:
        visit(fold(t), set())
    return out
