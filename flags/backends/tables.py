"""The store's tables, created on first use (or by `migsafe flags init`).

Four tables in one schema: `state` (a single version bumped by every change),
`features` (each flag's client-features JSON), `segments` (the document's
top-level segments, which strategies reference by id) and `audit`. A store made
before segments were kept gains the `segments` table and the audit's `kind`
column at its next write (or `migsafe flags init`). When the Alembic
version table exists, its notify trigger is installed too (see
`flags.backends.alembic_version`), so that schema changes wake clients at once.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from flags.backends.alembic_version import TriggerStatus, VersionTable, install_trigger

DEFAULT_SCHEMA = "migsafe_flags"


def table(schema: str, name: str) -> sql.Identifier:
    """The schema-qualified name of one of the store's tables."""
    return sql.Identifier(schema, name)


def ensure_tables(
    conn: psycopg.Connection[Any],
    schema: str = DEFAULT_SCHEMA,
    version_table: VersionTable | None = None,
) -> TriggerStatus:
    """Create the schema and tables if missing; safe to run from many processes at once.

    Then put the notify trigger on `version_table` (default `alembic_version`)
    if it exists; returns what became of the trigger.
    """
    _create_tables(conn, schema)
    return install_trigger(conn, version_table or VersionTable(), schema)


def _create_tables(conn: psycopg.Connection[Any], schema: str) -> None:
    exists = conn.execute(
        "SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = %s AND tablename = 'segments'",
        (schema,),
    ).fetchone()
    if exists:
        # Skip the DDL (and its CREATE privilege check) once the tables are there.
        return
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"migsafe_flags:{schema}",))
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        conn.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} ("
                " id boolean PRIMARY KEY DEFAULT true CHECK (id),"
                " version bigint NOT NULL)"
            ).format(table(schema, "state"))
        )
        conn.execute(
            sql.SQL("INSERT INTO {} (id, version) VALUES (true, 0) ON CONFLICT DO NOTHING").format(
                table(schema, "state")
            )
        )
        conn.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} ("
                " name text PRIMARY KEY,"
                " definition jsonb NOT NULL,"
                " updated_at timestamptz NOT NULL DEFAULT now())"
            ).format(table(schema, "features"))
        )
        conn.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} ("
                " id bigserial PRIMARY KEY,"
                " flag text NOT NULL,"
                " actor text NOT NULL,"
                " at timestamptz NOT NULL DEFAULT now(),"
                " old jsonb,"
                " new jsonb,"
                " reason text)"
            ).format(table(schema, "audit"))
        )
        conn.execute(
            sql.SQL("CREATE INDEX IF NOT EXISTS audit_flag_idx ON {} (flag, id)").format(
                table(schema, "audit")
            )
        )
        # `kind` and `segments` came later: a store made before them gains them here.
        conn.execute(
            sql.SQL(
                "ALTER TABLE {} ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'feature'"
            ).format(table(schema, "audit"))
        )
        # Created last: its existence is what tells that the DDL above is done.
        conn.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} ("
                " id integer PRIMARY KEY,"
                " definition jsonb NOT NULL,"
                " updated_at timestamptz NOT NULL DEFAULT now())"
            ).format(table(schema, "segments"))
        )
