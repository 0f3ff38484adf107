"""Indexes that concurrent builds leave behind: find them, and drop them safely.

A failed ``CREATE INDEX CONCURRENTLY`` leaves an INVALID index that every later write still
maintains, and that makes a re-run with ``IF NOT EXISTS`` "succeed" without an index. The
guard drops such leftovers (concurrently, so nothing else blocks) before a step rebuilds them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa


def invalid_indexes(conn: sa.Connection, names: Sequence[str]) -> list[str]:
    """``schema.name`` of the INVALID indexes among ``names`` (PostgreSQL)."""
    if conn.dialect.name != "postgresql" or not names:
        return []
    rows = conn.execute(
        sa.text(
            "SELECT n.nspname, c.relname FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE NOT i.indisvalid AND c.relname = ANY(:names) "
            # Only where the migration's unqualified names resolve: never another schema's.
            "AND n.nspname = ANY(current_schemas(false))"
        ),
        {"names": list(names)},
    ).all()
    return [f"{schema}.{name}" for schema, name in rows]


def drop_concurrently(autocommit: sa.Connection, qualified: str) -> None:
    """``DROP INDEX CONCURRENTLY IF EXISTS schema.name`` on an autocommit connection."""
    schema, _, name = qualified.partition(".")
    prep = autocommit.dialect.identifier_preparer
    autocommit.exec_driver_sql(
        f"DROP INDEX CONCURRENTLY IF EXISTS {prep.quote_schema(schema)}.{prep.quote(name)}"
    )
