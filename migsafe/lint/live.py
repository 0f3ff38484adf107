"""The target database's catalog for the rules: sizes, column types, volatility, version.

Every reading is a catalog query under a short lock timeout (``pg_total_relation_size`` opens
the relation, which waits behind an ACCESS EXCLUSIVE lock); a reading that fails is "unknown",
never an error: lint on a busy production database must not hang or fail on its context.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from migsafe.lint.context import TableStats

# to_regclass() of a name bound as :name ("t" or "schema.t", unquoted): a missing table is
# NULL, not an error, and the name is data, never SQL.
REGCLASS = (
    "to_regclass(CASE WHEN strpos(:name, '.') > 0 "
    "THEN quote_ident(split_part(:name, '.', 1)) || '.' || quote_ident(split_part(:name, '.', 2)) "
    "ELSE quote_ident(:name) END)"
)


class PgLive:
    """:class:`~migsafe.lint.context.Live` over a PostgreSQL connection (read only)."""

    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn
        self._cache: dict[tuple[str, ...], Any] = {}
        with conn.begin():
            self.server_version = int(conn.exec_driver_sql("SHOW server_version_num").scalar_one())

    def _one(self, cache_key: tuple[str, ...], sql: str, **params: Any) -> Any:
        if cache_key in self._cache:
            return self._cache[cache_key]
        try:
            with self._conn.begin():
                self._conn.exec_driver_sql("SET LOCAL lock_timeout = '1s'")
                row = self._conn.execute(sa.text(sql), params).first()
        except sa.exc.DBAPIError:
            row = None
        self._cache[cache_key] = row
        return row

    def table(self, name: str) -> TableStats | None:
        row = self._one(
            ("table", name),
            f"SELECT c.reltuples::bigint, pg_total_relation_size(c.oid) FROM pg_class c "
            f"WHERE c.oid = {REGCLASS}",
            name=_unquoted(name),
        )
        if row is None:
            return None
        return TableStats(rows=int(row[0]), bytes=int(row[1] or 0))

    def column_type(self, table: str, column: str) -> str | None:
        row = self._one(
            ("column", table, column),
            f"SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
            f"WHERE a.attrelid = {REGCLASS} AND a.attname = :column AND NOT a.attisdropped",
            name=_unquoted(table),
            column=column,
        )
        return None if row is None else str(row[0])

    def volatility(self, function: str) -> str | None:
        schema, _, name = function.rpartition(".")
        row = self._one(
            ("volatility", function),
            "SELECT max(CASE p.provolatile WHEN 'v' THEN 3 WHEN 's' THEN 2 ELSE 1 END) "
            "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE p.proname = :name AND (:schema = '' OR n.nspname = :schema) "
            "AND (:schema <> '' OR n.nspname = ANY (current_schemas(true)))",
            name=name,
            schema=schema,
        )
        if row is None or row[0] is None:
            return None
        return {3: "v", 2: "s", 1: "i"}[int(row[0])]

    def has_not_null_check(self, table: str, column: str) -> bool:
        row = self._one(
            ("nncheck", table, column),
            f"SELECT 1 FROM pg_constraint k WHERE k.conrelid = {REGCLASS} AND k.contype = 'c' "
            "AND k.convalidated AND pg_get_constraintdef(k.oid) = "
            "'CHECK ((' || quote_ident(:column) || ' IS NOT NULL))'",
            name=_unquoted(table),
            column=column,
        )
        return row is not None


def _unquoted(name: str) -> str:
    return ".".join(part.strip('"') for part in name.split("."))
