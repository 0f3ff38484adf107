"""Putting kept data back into what a migration's own ``downgrade()`` re-created.

A stored reverse restores what the upgrade kept at the right point of its own script. When a
revert undoes a revision with its ``downgrade()`` instead (the revision was irreversible, its
stored reverse is unusable, or ``--use-downgrade``), that function re-adds the dropped column
or re-creates the dropped table *empty*: the values sit in the archive. So once it ran, inside
the revert's transaction, the values are put back from the archive by primary key, and a
table's rows are copied back. When the column or table is not there again, the data would be
lost: that is reported, and the revert refuses (its transaction rolls back).

Archives are described by the dicts stored with each reverse row (``archives``; see
``reverse_capture._describe_archive``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from psycopg import sql

from migsafe.reverse._sql import ident, run_verbatim
from migsafe.reverse.archive import restore_sql
from migsafe.reverse.model import ArchivedColumn, ColumnArchive
from migsafe.reverse.reflect import (
    column,
    deferred_constraints,
    firing_triggers,
    pinned_search_path,
    relation,
)
from migsafe.reverse.sqlite._sql import q

Archive = Mapping[str, Any]


def kept_by_upgrade(archives: Sequence[Archive]) -> list[Archive]:
    """The archives of a stored row that hold data the upgrade removed (not those a revert
    of it would make). Row before-images are left out: they are the generated reverse of the
    rows the upgrade wrote, which its downgrade() replaces (reverse/rows)."""
    return [a for a in archives if a.get("when") != "revert" and a.get("kind") != "rows"]


def describe(a: Archive) -> str:
    """``schema.table.column`` (or ``schema.table``) of what an archive kept, for messages."""
    parts = [a.get("schema"), a.get("table"), a.get("column")]
    return ".".join(str(p) for p in parts if p)


def restore_after_downgrade(conn: sa.Connection, a: Archive) -> str | None:
    """Put back what *a* kept, now that a downgrade() ran; None when done, else what is
    missing for it (the data would be lost)."""
    sqlite = conn.dialect.name == "sqlite"
    if a.get("kind") == "column":
        return _column_sqlite(conn, a) if sqlite else _column_pg(conn, a)
    return _table_sqlite(conn, a) if sqlite else _table_pg(conn, a)


# -- PostgreSQL -------------------------------------------------------------------------------


def _column_pg(conn: sa.Connection, a: Archive) -> str | None:
    with pinned_search_path(conn):
        table = relation(conn, str(a["table"]), a.get("schema"))
        if table is None:
            return f"table {describe(a)} is not there"
        value = column(conn, table, str(a["column"]))
        keys = [column(conn, table, str(k)) for k in a.get("keys") or ()]
        if value is None:
            return f"column {describe(a)} is not there"
        if not keys or any(k is None for k in keys):
            return f"the key of {table.schema}.{table.name} is not there"
        if value.generated:
            return None  # computes itself again
        triggers = firing_triggers(conn, table)
        deferred = deferred_constraints(conn, table)
    # Cast back from what the archive holds (text, for a user type) to the column as it is now.
    action = ColumnArchive(
        schema=table.schema,
        table=table.name,
        value=ArchivedColumn(value.name, value.type_sql, as_text=True),
        keys=tuple(ArchivedColumn(k.name, k.type_sql, as_text=True) for k in keys if k),
        archive_schema=str(a["archive_schema"]),
        archive_table=str(a["archive_table"]),
        triggers=triggers,
        deferred=deferred,
    )
    statements = restore_sql(action)
    if value.identity == "a":  # ALWAYS takes no written value: BY DEFAULT while restoring
        target = sql.SQL("ALTER TABLE {} ALTER COLUMN {} SET GENERATED {}")
        live, name = ident(table.schema, table.name), sql.Identifier(value.name)
        statements = [
            target.format(live, name, sql.SQL("BY DEFAULT")).as_string(None),
            *statements,
            target.format(live, name, sql.SQL("ALWAYS")).as_string(None),
        ]
    for statement in statements:
        run_verbatim(conn, statement)
    return None


_COLUMNS = sa.text(
    """SELECT a.attname, a.attgenerated <> '', pg_catalog.pg_get_serial_sequence(
            pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname),
            a.attname)
    FROM pg_catalog.pg_attribute a
    JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE a.attrelid = :oid AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY a.attnum"""
)


def _table_pg(conn: sa.Connection, a: Archive) -> str | None:
    with pinned_search_path(conn):
        live = relation(conn, str(a["table"]), a.get("schema"))
        kept = relation(conn, str(a["archive_table"]), a.get("archive_schema"))
        if live is None:
            return f"table {describe(a)} is not there"
        if kept is None:
            return f"its archive {a.get('archive_schema')}.{a.get('archive_table')} is gone"
        live_cols = conn.execute(_COLUMNS, {"oid": live.oid}).all()
        kept_cols = {r[0] for r in conn.execute(_COLUMNS, {"oid": kept.oid})}
        triggers = firing_triggers(conn, live)
    names = [r[0] for r in live_cols if not r[1] and r[0] in kept_cols]
    if not names:
        return f"table {describe(a)} has none of its columns again"
    target, source = ident(live.schema, live.name), ident(kept.schema, kept.name)
    columns = sql.SQL(", ").join(sql.Identifier(n) for n in names)
    out = [
        sql.SQL("ALTER TABLE {} DISABLE TRIGGER {}").format(target, sql.Identifier(name))
        for name, _ in triggers
    ]
    # OVERRIDING SYSTEM VALUE: an identity ALWAYS column takes the kept values too.
    out.append(
        sql.SQL("INSERT INTO {} ({}) OVERRIDING SYSTEM VALUE SELECT {} FROM {}").format(
            target, columns, columns, source
        )
    )
    # A serial's sequence starts afresh with the table: it goes on after the kept rows.
    out += [
        sql.SQL(
            "SELECT pg_catalog.setval({}, m) FROM (SELECT max({}) AS m FROM {}) AS kept "
            "WHERE m IS NOT NULL"
        ).format(sql.Literal(seq), sql.Identifier(name), target)
        for name, _, seq in live_cols
        if seq is not None and name in names
    ]
    states = {"O": "ENABLE", "A": "ENABLE ALWAYS"}
    out += [
        sql.SQL("ALTER TABLE {} {} TRIGGER {}").format(
            target, sql.SQL(states.get(state, "ENABLE")), sql.Identifier(name)
        )
        for name, state in triggers
    ]
    for statement in out:
        run_verbatim(conn, statement.as_string(None))
    return None


# -- SQLite -----------------------------------------------------------------------------------


def _sqlite_columns(conn: sa.Connection, table: str) -> list[str]:
    """The columns a row can be written to (``hidden`` 0: not generated, not a virtual
    table's hidden one); none when there is no such table."""
    rows = conn.exec_driver_sql(
        f"SELECT name FROM pragma_table_xinfo({_literal(table)}) WHERE hidden = 0"
    )
    return [r[0] for r in rows]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _column_sqlite(conn: sa.Connection, a: Archive) -> str | None:
    table, name, archive = str(a["table"]), str(a["column"]), str(a["archive_table"])
    have = _sqlite_columns(conn, table)
    if not have:
        return f"table {table} is not there"
    if name not in have:
        return f"column {table}.{name} is not there"
    keys = [str(k) for k in a.get("keys") or ()]
    if not keys or any(k not in have for k in keys):
        return f"the key of {table} is not there"
    match = " AND ".join(f"kept.{q(k)} = {q(table)}.{q(k)}" for k in keys)
    conn.exec_driver_sql(
        f"UPDATE {q(table)} SET {q(name)} = "
        f"(SELECT kept.{q(name)} FROM {q(archive)} AS kept WHERE {match}) "
        f"WHERE EXISTS (SELECT 1 FROM {q(archive)} AS kept WHERE {match})"
    )
    return None


def _table_sqlite(conn: sa.Connection, a: Archive) -> str | None:
    table, archive = str(a["table"]), str(a["archive_table"])
    have = _sqlite_columns(conn, table)
    if not have:
        return f"table {table} is not there"
    kept = set(_sqlite_columns(conn, archive))
    if not kept:
        return f"its archive {archive} is gone"
    names = ", ".join(q(n) for n in have if n in kept)
    if not names:
        return f"table {table} has none of its columns again"
    conn.exec_driver_sql(f"INSERT INTO {q(table)} ({names}) SELECT {names} FROM {q(archive)}")
    return None
