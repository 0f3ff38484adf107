"""The Alembic version table, as the revision gate sees it: its heads, and a trigger on it.

Clients read the heads on their listener thread on every notification and
every poll. So that a migration, or a revert by any tool (even plain
`alembic downgrade`), reaches every process at once rather than at the next
poll, `install_trigger` puts a statement trigger on the version table that
notifies the flags channel; it fires inside the migration's transaction, so
clients hear of it when that commits. `notify_schema_changed` does the same by
hand (`flags.backends.notify`), where a trigger cannot be installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import psycopg
from psycopg import sql

from flags.backends.notify import CHANNEL, SCHEMA_CHANGED

TRIGGER = "migsafe_flags_notify"
FUNCTION = "notify_schema_changed"


@dataclass(frozen=True)
class VersionTable:
    """Where Alembic records the heads: `version_table`/`version_table_schema` of env.py.

    `schema` None means the connection's default schema (its `search_path`).
    """

    name: str = "alembic_version"
    schema: str | None = None

    @property
    def identifier(self) -> sql.Identifier:
        """The table's name, schema-qualified if a schema is set."""
        if self.schema is None:
            return sql.Identifier(self.name)
        return sql.Identifier(self.schema, self.name)

    @property
    def regclass_text(self) -> str:
        """The quoted name as `to_regclass` takes it."""
        if self.schema is None:
            return _quote(self.name)
        return f"{_quote(self.schema)}.{_quote(self.name)}"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def read_heads(conn: psycopg.Connection[Any], table: VersionTable) -> frozenset[str] | None:
    """The revisions in the version table; None if it is missing or cannot be read.

    A connection failure is not "unreadable": it raises, so that the caller
    keeps its last known heads and reconnects.
    """
    query = sql.SQL("SELECT version_num FROM {}").format(table.identifier)
    try:
        with conn.transaction():
            rows = conn.execute(query).fetchall()
    except (psycopg.ProgrammingError, psycopg.errors.DataError):
        # Missing table or column, no privilege: unknown state, so gated flags fail closed.
        return None
    return frozenset(str(row[0]) for row in rows if row[0] is not None)


class TriggerStatus(StrEnum):
    """What `install_trigger` found or did."""

    INSTALLED = "installed"
    PRESENT = "present"
    NO_VERSION_TABLE = "no-version-table"
    NOT_PERMITTED = "not-permitted"


def trigger_present(conn: psycopg.Connection[Any], table: VersionTable) -> bool | None:
    """Whether the trigger is on the version table; None if there is no version table."""
    row = conn.execute(
        "SELECT to_regclass(%s) IS NOT NULL, EXISTS (SELECT 1 FROM pg_catalog.pg_trigger"
        " WHERE tgrelid = to_regclass(%s) AND tgname = %s)",
        (table.regclass_text, table.regclass_text, TRIGGER),
    ).fetchone()
    assert row is not None
    exists, present = row
    return None if not exists else bool(present)


def install_trigger(
    conn: psycopg.Connection[Any], table: VersionTable, flags_schema: str
) -> TriggerStatus:
    """Put the notify trigger on the version table if it exists and lacks it.

    The trigger function lives in `flags_schema` (which must exist) and only
    calls `pg_notify`; it swallows its own errors so that it can never fail a
    migration (the poll is the fallback).
    """
    present = trigger_present(conn, table)
    if present is None:
        return TriggerStatus.NO_VERSION_TABLE
    if present:
        return TriggerStatus.PRESENT
    function = sql.Identifier(flags_schema, FUNCTION)
    body = sql.SQL(
        "BEGIN PERFORM pg_notify({channel}, {payload}); RETURN NULL;"
        " EXCEPTION WHEN OTHERS THEN RETURN NULL; END"
    ).format(channel=sql.Literal(CHANNEL), payload=sql.Literal(SCHEMA_CHANGED))
    try:
        with conn.transaction():
            conn.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))", (f"migsafe_flags:{TRIGGER}",)
            )
            if trigger_present(conn, table):
                return TriggerStatus.PRESENT
            conn.execute(
                sql.SQL(
                    "CREATE OR REPLACE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS {}"
                ).format(function, sql.Literal(body.as_string(conn)))
            )
            conn.execute(
                sql.SQL(
                    "CREATE TRIGGER {} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {}"
                    " FOR EACH STATEMENT EXECUTE FUNCTION {}()"
                ).format(sql.Identifier(TRIGGER), table.identifier, function)
            )
    except psycopg.errors.InsufficientPrivilege:
        # Only the version table's owner may add a trigger; clients still poll.
        return TriggerStatus.NOT_PERMITTED
    return TriggerStatus.INSTALLED
