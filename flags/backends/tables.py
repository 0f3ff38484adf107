"""The store's tables, created on first use (or by `migsafe flags init`).

Four tables in one schema: `state` (a single version bumped by every change),
`features` (each flag's client-features JSON), `segments` (the document's
top-level segments, which strategies reference by id) and `audit`, and a fifth,
`schema_version`, with one row per step of `STEPS` the store holds: a store made
by an earlier release gains what later ones added (e.g. `segments` and the
audit's `kind`) at its next write (or `migsafe flags init`), in one transaction. When the Alembic
version table exists, its notify trigger is installed too (see
`flags.backends.alembic_version`), so that schema changes wake clients at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
from psycopg import sql

from flags.backends.alembic_version import TriggerStatus, VersionTable, install_trigger
from flags.errors import StoreTooNew

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
    version = _version(conn, schema)
    if version == LATEST:
        # Skip the DDL (and its CREATE privilege check) once the tables are there.
        return
    if version is not None and version > LATEST:
        raise StoreTooNew(
            f"the flag store {schema!r} is at version {version}, newer than this release "
            f"knows ({LATEST}): upgrade migsafe"
        )
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"migsafe_flags:{schema}",))
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        conn.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} ("
                " version integer PRIMARY KEY,"
                " description text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            ).format(table(schema, "schema_version"))
        )
        recorded = conn.execute(
            sql.SQL("SELECT coalesce(max(version), 0) FROM {}").format(
                table(schema, "schema_version")
            )
        ).fetchone()
        done = int(recorded[0]) if recorded else 0
        held = _held(conn, schema) if done == 0 else done
        for number, description, apply in STEPS:
            if number <= done:
                continue
            if number > held:
                apply(conn, schema)
            conn.execute(
                sql.SQL("INSERT INTO {} (version, description) VALUES (%s, %s)").format(
                    table(schema, "schema_version")
                ),
                (
                    number,
                    description
                    + (" (found: made before versions were kept)" if number <= held else ""),
                ),
            )


def _version(conn: psycopg.Connection[Any], schema: str) -> int | None:
    """The newest step the store records; None without a `schema_version` table."""
    present = conn.execute(
        "SELECT to_regclass(%s) IS NOT NULL",
        (sql.Identifier(schema, "schema_version").as_string(conn),),
    ).fetchone()
    if not present or not present[0]:
        return None
    row = conn.execute(
        sql.SQL("SELECT coalesce(max(version), 0) FROM {}").format(table(schema, "schema_version"))
    ).fetchone()
    return int(row[0]) if row else 0


def _held(conn: psycopg.Connection[Any], schema: str) -> int:
    """The steps a store made before versions were kept already has."""
    row = conn.execute(
        "SELECT to_regclass(%s) IS NOT NULL, to_regclass(%s) IS NOT NULL",
        (
            sql.Identifier(schema, "features").as_string(conn),
            sql.Identifier(schema, "segments").as_string(conn),
        ),
    ).fetchone()
    has_features, has_segments = row if row else (False, False)
    return 2 if has_segments else 1 if has_features else 0


def _step_1(conn: psycopg.Connection[Any], schema: str) -> None:
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


def _step_2(conn: psycopg.Connection[Any], schema: str) -> None:
    conn.execute(
        sql.SQL(
            "ALTER TABLE {} ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'feature'"
        ).format(table(schema, "audit"))
    )
    conn.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} ("
            " id integer PRIMARY KEY,"
            " definition jsonb NOT NULL,"
            " updated_at timestamptz NOT NULL DEFAULT now())"
        ).format(table(schema, "segments"))
    )


#: The store's tables, one step per release that changed them, oldest first. A store records
#: the steps it holds in `schema_version`; a store made before that table existed is matched
#: by what it has (see `_held`). Never edit a released step: add one.
STEPS: tuple[tuple[int, str, Callable[[psycopg.Connection[Any], str], None]], ...] = (
    (1, "state, features and audit", _step_1),
    (2, "segments, and the audit's kind", _step_2),
)
LATEST = STEPS[-1][0]
