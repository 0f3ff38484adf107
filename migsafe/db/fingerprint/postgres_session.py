"""PostgreSQL plumbing shared by the catalog queries.

Session settings pinned while a fingerprint is taken, and the SQL helpers that keep the
catalog queries to user objects.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy import text
from sqlalchemy.engine import Connection

from migsafe.db.fingerprint._common import _Rows

#: Rendering of names and values must not depend on the session that takes the fingerprint.
_PG_SETTINGS = {
    "search_path": "",  # every name schema-qualified, as pg_dump does
    "DateStyle": "ISO, YMD",
    "IntervalStyle": "postgres",
    "TimeZone": "UTC",
    "extra_float_digits": "1",  # shortest exact representation
    "bytea_output": "hex",
    "lc_monetary": "C",
}

# User schemas only: not the catalogs, not TOAST or temporary schemas (session-local).
_PG_NS = (
    "n.nspname NOT IN ('pg_catalog', 'information_schema') "
    "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'"
)


def _pg_not_extension(catalog: str, oid: str) -> str:
    """SQL condition: the object is not a member of an extension (the extension owns it)."""
    return (
        "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d "
        f"WHERE d.classid = 'pg_catalog.{catalog}'::pg_catalog.regclass "
        f"AND d.objid = {oid} AND d.deptype = 'e')"
    )


@contextmanager
def _pg_pinned_settings(conn: Connection) -> Iterator[None]:
    """Pin :data:`_PG_SETTINGS` for the enclosed queries, then restore what was there.

    Inside a transaction the settings are set transaction-locally, so even a failure that
    leaves them in place ends with the transaction; a connection in autocommit mode has no
    transaction to scope them to, so there they are set and restored for the session.
    """
    names = list(_PG_SETTINGS)
    params = {f"n{i}": n for i, n in enumerate(names)}
    current = ", ".join(f"pg_catalog.current_setting(:n{i})" for i in range(len(names)))
    previous = dict(zip(names, conn.execute(text(f"SELECT {current}"), params).one(), strict=True))
    local = conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT" and not getattr(
        conn.connection.driver_connection, "autocommit", False
    )

    def apply(values: Mapping[str, str]) -> None:
        calls = ", ".join(f"pg_catalog.set_config(:n{i}, :v{i}, :local)" for i in range(len(names)))
        vals = {f"v{i}": values[n] for i, n in enumerate(names)}
        conn.execute(text(f"SELECT {calls}"), {**params, **vals, "local": local})

    apply(_PG_SETTINGS)
    try:
        yield
    except sa.exc.DBAPIError:
        if not local:  # in a transaction, it is aborted now; its rollback restores them
            apply(previous)
        raise
    except BaseException:
        # An interrupt during a query invalidates the connection (SQLAlchemy's rule for a
        # KeyboardInterrupt): its session is gone with its settings; the interrupt must
        # reach the caller, not an error about the dead connection.
        if not conn.invalidated:
            apply(previous)
        raise
    apply(previous)


def _pg_rows(conn: Connection, sql: str) -> _Rows:
    return [tuple(row) for row in conn.execute(text(sql))]
