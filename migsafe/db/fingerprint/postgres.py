"""PostgreSQL: the catalog description of the schema, and the hash of each table's rows.

Relations (with their columns, constraints, indexes, triggers and policies) are described
in :mod:`.postgres_relations`; sequences, types and functions in :mod:`.postgres_objects`.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import func, literal_column, select
from sqlalchemy.engine import Connection

from migsafe.db.fingerprint._common import Description, _Scope, _sha256_json
from migsafe.db.fingerprint.postgres_objects import _pg_functions, _pg_sequences, _pg_types
from migsafe.db.fingerprint.postgres_relations import _pg_attach_to_relations, _pg_relations
from migsafe.db.fingerprint.postgres_session import _PG_NS, _pg_not_extension, _pg_rows


def _pg_description(conn: Connection, scope: _Scope) -> Description:
    schemas: Description = {}
    for name, comment in _pg_rows(
        conn,
        f"""SELECT n.nspname, pg_catalog.obj_description(n.oid, 'pg_namespace')
        FROM pg_catalog.pg_namespace n
        WHERE {_PG_NS} AND {_pg_not_extension("pg_namespace", "n.oid")}""",
    ):
        if scope.schema(name):
            schemas[name] = {"comment": comment}

    extensions = {
        name: {"version": version, "schema": schema}
        for name, version, schema in _pg_rows(
            conn,
            """SELECT e.extname, e.extversion, n.nspname FROM pg_catalog.pg_extension e
            JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace""",
        )
    }

    relations = _pg_relations(conn, scope)
    _pg_attach_to_relations(conn, scope, relations)
    return {
        "dialect": "postgresql",
        "schemas": schemas,
        "extensions": extensions,
        "relations": relations,
        "sequences": _pg_sequences(conn, scope),
        "types": _pg_types(conn, scope),
        "functions": _pg_functions(conn, scope),
    }


def _pg_tables(conn: Connection, scope: _Scope) -> list[tuple[str, str]]:
    """Tables that hold rows: plain tables and partitions, not partitioned parents."""
    rows = _pg_rows(
        conn,
        f"""SELECT n.nspname, c.relname
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND {_PG_NS} AND {_pg_not_extension("pg_class", "c.oid")}
        ORDER BY 1, 2""",
    )
    return [(s, t) for s, t in rows if scope.relation(s, t)]


def _pg_columns(
    conn: Connection, tables: list[tuple[str, str]]
) -> dict[tuple[str, str], list[str]]:
    """Column names of *tables*, each list sorted by name, in one query."""
    rows = _pg_rows(
        conn,
        f"""SELECT n.nspname, c.relname, a.attname
        FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND {_PG_NS}""",
    )
    out: dict[tuple[str, str], list[str]] = {t: [] for t in tables}
    for schema, table, column in rows:
        if (schema, table) in out:
            out[(schema, table)].append(column)
    return {k: sorted(v) for k, v in out.items()}


def _pg_table_hash(
    conn: Connection, schema: str, name: str, columns: list[str] | None = None
) -> tuple[str, int]:
    """Hash of a table's rows, computed server-side so the rows never cross the network.

    Each row's text form (its columns in name order, when *columns* lists them) is
    md5-hashed and the two 64-bit halves of those hashes are summed
    exactly (``numeric``): a multiset hash, order-independent like sorting the row hashes but
    streaming, so it needs no sort and no per-table memory (a sorted ``string_agg`` would hit
    the 1 GB value limit at about 30 million rows). ``FROM ONLY``: rows of inheritance
    children are hashed with their own table, not twice.
    """
    source = sa.table(name, schema=schema).alias("t")
    row = "(t.*)"
    if columns is not None:
        # Columns in name order: a column re-added at the end (a revert) hashes alike.
        quote = conn.dialect.identifier_preparer.quote
        row = "ROW(" + ", ".join(f"t.{quote(c)}" for c in columns) + ")"
    hashed = (
        select(literal_column(f"pg_catalog.md5({row}::text)").label("h"))
        .select_from(source)
        .with_hint(source, "ONLY", "postgresql")
        .subquery("r")
    )
    half = "('x' || pg_catalog.substr(r.h, {}, 16))::bit(64)::bigint"
    stmt: sa.Executable = select(
        func.count(),
        func.sum(literal_column(half.format(1))),
        func.sum(literal_column(half.format(17))),
    ).select_from(hashed)
    count, high, low = conn.execute(stmt).one()
    digest = _sha256_json(["pg-md5-sum/1", count, str(high or 0), str(low or 0)])
    return digest, int(count)
