"""SQLite: the schema description from ``sqlite_master`` and pragmas, and table hashes."""

from __future__ import annotations

import hashlib
import re

import sqlalchemy as sa
from sqlalchemy import literal_column, select
from sqlalchemy.engine import Connection

from migsafe.db.fingerprint._common import Description, _Rows, _Scope


def _sqlite_quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)


def _sqlite_pragma(conn: Connection, schema: str, pragma: str, arg: str) -> _Rows:
    """``PRAGMA schema.pragma(arg)``; pragmas take no bound parameters, so both are quoted."""
    sql = f"PRAGMA {_sqlite_quote(conn, schema)}.{pragma}({_sqlite_quote(conn, arg)})"
    return [tuple(row) for row in conn.exec_driver_sql(sql)]


def _sqlite_databases(conn: Connection, scope: _Scope) -> list[str]:
    """``main`` and attached databases; ``temp`` belongs to one connection, not the database."""
    names = [row[1] for row in conn.exec_driver_sql("PRAGMA database_list").all()]
    return [n for n in names if n != "temp" and scope.schema(n)]


def _sqlite_master(conn: Connection, schema: str) -> _Rows:
    master = sa.table(
        "sqlite_master",
        sa.column("type"),
        sa.column("name"),
        sa.column("tbl_name"),
        sa.column("sql"),
        schema=schema,
    )
    rows = conn.execute(select(master.c.type, master.c.name, master.c.tbl_name, master.c.sql))
    # Names starting with sqlite_ are SQLite's own (sqlite_sequence, sqlite_stat1, ...).
    return [tuple(r) for r in rows if not r.name.lower().startswith("sqlite_")]


_SQL_QUOTED = re.compile(r"""('(?:[^']|'')*'|"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\])""")
_SQL_SPACE = re.compile(r"\s+")
_SQL_PUNCT = re.compile(r" ?([(),]) ?")


def _normalize_sql(sql: str | None) -> str | None:
    """Whitespace-insensitive form of stored DDL, leaving quoted text alone.

    SQLite keeps DDL as typed, and ``ALTER TABLE ADD COLUMN`` splices text into it, so the
    same table can be stored with different spacing.
    """
    if sql is None:
        return None
    parts = _SQL_QUOTED.split(sql)
    for i in range(0, len(parts), 2):  # even indexes are outside quotes
        parts[i] = _SQL_PUNCT.sub(r"\1", _SQL_SPACE.sub(" ", parts[i]))
    return "".join(parts).strip()


def _sqlite_description(conn: Connection, scope: _Scope) -> Description:
    relations: Description = {}
    for schema in _sqlite_databases(conn, scope):
        entries = _sqlite_master(conn, schema)
        for type_, name, _table, sql in entries:
            if type_ in ("table", "view") and scope.relation(schema, name):
                relations[f"{schema}.{name}"] = _sqlite_relation(conn, schema, name, type_, sql)
        for type_, name, table, sql in entries:
            owner = relations.get(f"{schema}.{table}")
            if type_ == "trigger" and owner is not None:
                owner["triggers"][name] = _normalize_sql(sql)
            elif type_ == "index" and owner is not None:
                owner["indexes"].setdefault(name, {})["sql"] = _normalize_sql(sql)
    return {"dialect": "sqlite", "relations": relations}


def _sqlite_relation(
    conn: Connection, schema: str, name: str, type_: str, sql: str | None
) -> Description:
    try:  # table_xinfo (SQLite 3.26+) also lists generated and hidden columns
        info = _sqlite_pragma(conn, schema, "table_xinfo", name)
        columns = [
            {
                "name": r[1],
                "type": r[2],
                "not_null": bool(r[3]),
                "default": r[4],
                "pk": r[5],
                "hidden": r[6],
            }
            for r in info
        ]
    except sa.exc.DBAPIError:
        info = _sqlite_pragma(conn, schema, "table_info", name)
        columns = [
            {"name": r[1], "type": r[2], "not_null": bool(r[3]), "default": r[4], "pk": r[5]}
            for r in info
        ]
    indexes: Description = {}
    foreign_keys: list[Description] = []
    if type_ == "table":
        # index_list's seq column is only a position in its output, so it is left out.
        for _seq, index, unique, origin, partial in _sqlite_pragma(
            conn, schema, "index_list", name
        ):
            cols = _sqlite_pragma(conn, schema, "index_info", index)
            indexes[index] = {
                "unique": bool(unique),
                "origin": origin,
                "partial": bool(partial),
                "columns": [r[2] for r in cols],
                "sql": None,
            }
        foreign_keys = [
            {
                "id": r[0],
                "seq": r[1],
                "table": r[2],
                "from": r[3],
                "to": r[4],
                "on_update": r[5],
                "on_delete": r[6],
                "match": r[7],
            }
            for r in _sqlite_pragma(conn, schema, "foreign_key_list", name)
        ]
        foreign_keys.sort(key=lambda fk: (fk["id"], fk["seq"]))
    return {
        "kind": type_,
        "sql": _normalize_sql(sql),
        "columns": columns,
        "indexes": indexes,
        "foreign_keys": foreign_keys,
        "triggers": {},
    }


def _sqlite_tables(conn: Connection, scope: _Scope) -> list[tuple[str, str]]:
    return sorted(
        (schema, name)
        for schema in _sqlite_databases(conn, scope)
        for type_, name, _table, _sql in _sqlite_master(conn, schema)
        if type_ == "table" and scope.relation(schema, name)
    )


def _sqlite_table_hash(conn: Connection, schema: str, name: str) -> tuple[str, int]:
    """Hash of a table's rows: each row's ``repr`` (columns in name order) hashed, the digests
    sorted, then hashed.

    The driver returns only int, float, str, bytes and None, whose reprs are exact and
    unambiguous; sorting digests rather than rows keeps memory at 32 bytes a row.
    """
    query: sa.Executable = select(literal_column("*")).select_from(sa.table(name, schema=schema))
    digests = sorted(
        hashlib.sha256(repr(sorted(row._mapping.items())).encode("utf-8")).digest()
        for row in conn.execute(query)
    )
    total = hashlib.sha256(f"sqlite-sorted-sha256/2\n{len(digests)}\n".encode())
    for digest in digests:
        total.update(digest)
    return total.hexdigest(), len(digests)
