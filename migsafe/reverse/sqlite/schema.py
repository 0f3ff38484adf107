"""The SQLite schema as SQLite stores it: ``sqlite_master``'s text and each table's columns.

The generator compares this snapshot taken just before an operation with one taken just
after, and puts back every object whose text changed. Text is the definition in SQLite (a
rename even rewrites other objects' text), so nothing is re-derived from a reflected model.
Archive tables and SQLite's own objects are left out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa

from migsafe.reverse.sqlite._sql import fold, q, run

ARCHIVE_PREFIX = "migsafe_archive__"
ROWID_NAMES = ("rowid", "_rowid_", "oid")

_QUOTED = re.compile(r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\]""")
_WITHOUT_ROWID = re.compile(r"\)\s*(?:STRICT\s*,\s*)?WITHOUT\s+ROWID\b", re.IGNORECASE)
_AUTOINCREMENT = re.compile(r"\bAUTOINCREMENT\b", re.IGNORECASE)


@dataclass(frozen=True)
class Column:
    """One row of ``PRAGMA table_xinfo``."""

    name: str
    type: str
    not_null: bool
    default: str | None  # the default's SQL text, as written
    pk: int  # position in the primary key, 0 when not part of it
    hidden: int  # 2/3: generated (virtual/stored); 1: hidden column of a virtual table

    @property
    def insertable(self) -> bool:
        return self.hidden == 0

    def default_sql(self) -> str:
        """What a row inserted without this column would get: its default, or NULL."""
        return f"({self.default})" if self.default is not None else "NULL"


@dataclass(frozen=True)
class Table:
    name: str
    sql: str
    columns: tuple[Column, ...]
    parents: frozenset[str] = frozenset()  # folded names of the tables its foreign keys name

    @property
    def virtual(self) -> bool:
        return self.sql.lstrip().upper().startswith("CREATE VIRTUAL")

    @property
    def without_rowid(self) -> bool:
        return _WITHOUT_ROWID.search(_QUOTED.sub("''", self.sql)) is not None

    @property
    def autoincrement(self) -> bool:
        return _AUTOINCREMENT.search(_QUOTED.sub("''", self.sql)) is not None

    @property
    def primary_key(self) -> tuple[str, ...]:
        return tuple(c.name for c in sorted(self.columns, key=lambda c: c.pk) if c.pk)

    def column(self, name: str) -> Column | None:
        key = fold(name)
        return next((c for c in self.columns if fold(c.name) == key), None)

    def rowid_alias(self) -> str | None:
        """A name that reaches the rowid, or None (WITHOUT ROWID, or all names taken)."""
        if self.without_rowid or self.virtual:
            return None
        return next((n for n in ROWID_NAMES if self.column(n) is None), None)


@dataclass(frozen=True)
class Entry:
    """One ``sqlite_master`` row: an index, trigger or view (tables are :class:`Table`)."""

    type: str
    name: str
    table: str
    sql: str


@dataclass(frozen=True)
class Schema:
    """Tables, and the indexes, views and triggers that have SQL, keyed by folded name."""

    tables: Mapping[str, Table] = field(default_factory=dict)
    entries: Mapping[tuple[str, str], Entry] = field(default_factory=dict)

    def table(self, name: str) -> Table | None:
        return self.tables.get(fold(name))

    def entry(self, type_: str, name: str) -> Entry | None:
        return self.entries.get((type_, fold(name)))

    def attached(self, table: str, type_: str) -> list[Entry]:
        """Indexes or triggers of *table*, in creation order."""
        key = fold(table)
        return [e for e in self.entries.values() if e.type == type_ and fold(e.table) == key]

    def children(self, table: str) -> list[str]:
        """Other tables whose foreign keys name *table*."""
        key = fold(table)
        return [t.name for t in self.tables.values() if fold(t.name) != key and key in t.parents]


def read_schema(conn: sa.Connection) -> Schema:
    """Snapshot of the ``main`` database's schema."""
    rows = conn.exec_driver_sql(
        "SELECT type, name, tbl_name, sql FROM main.sqlite_master ORDER BY rowid"
    ).all()
    tables: dict[str, Table] = {}
    entries: dict[tuple[str, str], Entry] = {}
    for type_, name, table, sql in rows:
        if sql is None or name.startswith("sqlite_") or name.startswith(ARCHIVE_PREFIX):
            continue
        if type_ == "table":
            parents = conn.exec_driver_sql(f"PRAGMA main.foreign_key_list({q(name)})").all()
            tables[fold(name)] = Table(
                name, sql, _columns(conn, name), frozenset(fold(r[2]) for r in parents)
            )
        else:
            entries[(type_, fold(name))] = Entry(type_, name, table, sql)
    return Schema(tables, entries)


def _columns(conn: sa.Connection, table: str) -> tuple[Column, ...]:
    rows = conn.exec_driver_sql(f"PRAGMA main.table_xinfo({q(table)})").all()
    return tuple(
        Column(name=r[1], type=r[2], not_null=bool(r[3]), default=r[4], pk=r[5], hidden=r[6])
        for r in rows
    )


def pragma_flag(conn: sa.Connection, name: str) -> bool:
    """The session's boolean pragma *name* (``foreign_keys``, ``legacy_alter_table``)."""
    return bool(run(conn, f"PRAGMA {name}"))
