"""Fingerprints of a database's schema and data, to prove that nothing was lost.

Tests, and the revert engine, take a fingerprint before an operation and another after it (or
after undoing it): equal fingerprints mean the schema and every table's rows are as they were.
When they differ, :func:`schema_description` and :func:`diff_descriptions` say what changed, so
an error message can name the object instead of showing two hashes.

What is compared, and what deliberately is not:

* the schema is a canonical, sorted description built from the catalogs; physical details
  that do not change meaning are left out: attribute numbers (a dropped column leaves a gap),
  OIDs, sequence positions, statistics. Privileges are in (a lost GRANT is a loss), with a
  missing ACL read as the default one, so that GRANT then REVOKE compares equal;
* the data is one hash per table, independent of row order (tables have no order) and of
  column positions (each row is hashed with its columns in name order), with the row count
  folded in; views are not data, and neither are sequence positions.

On PostgreSQL the catalog functions and row rendering depend on session settings
(``search_path`` decides how names are qualified, ``TimeZone`` how a ``timestamptz`` prints), so
they are pinned, transaction-locally, while a fingerprint is taken and put back afterwards:
fingerprints from different sessions or processes are comparable.

Take both fingerprints in one ``REPEATABLE READ`` transaction, or with no concurrent writers,
if they must describe a single instant: each table is read by its own statement.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from migsafe.db.fingerprint._common import Description, _Scope, _sha256_json, _sorted
from migsafe.db.fingerprint.diff import diff_descriptions
from migsafe.db.fingerprint.postgres import (
    _pg_columns,
    _pg_description,
    _pg_table_hash,
    _pg_tables,
)
from migsafe.db.fingerprint.postgres_session import _pg_pinned_settings
from migsafe.db.fingerprint.sqlite import (
    _sqlite_description,
    _sqlite_table_hash,
    _sqlite_tables,
)
from migsafe.errors import ConfigError

__all__ = [
    "DEFAULT_EXCLUDE_SCHEMAS",
    "Fingerprint",
    "data_fingerprint",
    "description_hash",
    "diff_descriptions",
    "fingerprint",
    "schema_description",
    "schema_fingerprint",
]

#: migsafe's own bookkeeping (history; data kept by reverse scripts until pruned): it changes
#: on every run, so it is never compared.
DEFAULT_EXCLUDE_SCHEMAS: tuple[str, ...] = ("migsafe", "migsafe_archive")


@dataclass(frozen=True)
class Fingerprint:
    """Schema hash plus one hash and row count per table (keys are ``"schema.table"``)."""

    schema: str
    tables: Mapping[str, str]
    row_counts: Mapping[str, int]

    @property
    def data(self) -> str:
        """One hash over every table's hash, keyed by name, so swapped contents also show."""
        return _sha256_json(sorted(self.tables.items()))


def fingerprint(
    conn: Connection,
    *,
    exclude_schemas: Collection[str] = DEFAULT_EXCLUDE_SCHEMAS,
    exclude_tables: Collection[str] = (),
    column_order: bool = True,
) -> Fingerprint:
    """Schema and data fingerprint of the database *conn* is connected to."""
    kw = {"exclude_schemas": exclude_schemas, "exclude_tables": exclude_tables}
    tables, counts = data_fingerprint(conn, **kw)
    schema = schema_fingerprint(conn, column_order=column_order, **kw)
    return Fingerprint(schema=schema, tables=tables, row_counts=counts)


def schema_fingerprint(
    conn: Connection,
    *,
    exclude_schemas: Collection[str] = DEFAULT_EXCLUDE_SCHEMAS,
    exclude_tables: Collection[str] = (),
    column_order: bool = True,
) -> str:
    """sha256 (hex) of :func:`schema_description`."""
    return description_hash(
        schema_description(
            conn,
            exclude_schemas=exclude_schemas,
            exclude_tables=exclude_tables,
            column_order=column_order,
        )
    )


def description_hash(desc: Description) -> str:
    """sha256 (hex) of a description, as :func:`schema_fingerprint` computes it; for callers
    that leave objects out of it first."""
    return _sha256_json(desc)


def schema_description(
    conn: Connection,
    *,
    exclude_schemas: Collection[str] = DEFAULT_EXCLUDE_SCHEMAS,
    exclude_tables: Collection[str] = (),
    column_order: bool = True,
) -> Description:
    """A canonical, JSON-serialisable description of the schema, with sorted keys.

    With ``column_order=False`` each table's columns are listed by name rather than by
    position: PostgreSQL can only add a column at the end, so a column a revert adds back
    lands last, and that is the one difference a revert cannot undo without a table rewrite.

    Objects are keyed by name (``"schema.name"`` for relations), so two descriptions can be
    compared object by object with :func:`diff_descriptions`. *exclude_tables* holds
    ``"schema.table"`` names, or bare names that match in every schema; it applies to any
    relation (table, view, sequence) and everything attached to it.
    """
    scope = _Scope(exclude_schemas, exclude_tables)
    dialect = _dialect(conn)
    if dialect == "postgresql":
        with _pg_pinned_settings(conn):
            desc = _pg_description(conn, scope)
    else:
        desc = _sqlite_description(conn, scope)
    if not column_order:
        for relation in desc.get("relations", {}).values():
            columns = relation.get("columns")
            if isinstance(columns, list) and all(isinstance(c, dict) for c in columns):
                relation["columns"] = sorted(columns, key=lambda c: str(c.get("name")))
    result: Description = _sorted(desc)
    return result


def data_fingerprint(
    conn: Connection,
    *,
    exclude_schemas: Collection[str] = DEFAULT_EXCLUDE_SCHEMAS,
    exclude_tables: Collection[str] = (),
) -> tuple[dict[str, str], dict[str, int]]:
    """Per table (``"schema.table"``): a hash of its rows, independent of their order, and
    the row count. Only tables hold data; views, sequence positions and foreign tables do not.
    """
    scope = _Scope(exclude_schemas, exclude_tables)
    hashes: dict[str, str] = {}
    counts: dict[str, int] = {}
    if _dialect(conn) == "postgresql":
        with _pg_pinned_settings(conn):
            tables = _pg_tables(conn, scope)
            columns = _pg_columns(conn, tables)
            for schema, name in tables:
                key = f"{schema}.{name}"
                hashes[key], counts[key] = _pg_table_hash(
                    conn, schema, name, columns[(schema, name)]
                )
    else:
        for schema, name in _sqlite_tables(conn, scope):
            key = f"{schema}.{name}"
            hashes[key], counts[key] = _sqlite_table_hash(conn, schema, name)
    return hashes, counts


def _dialect(conn: Connection) -> str:
    name = conn.dialect.name
    if name not in ("postgresql", "sqlite"):
        raise ConfigError(
            f"cannot fingerprint a {name} database", hint="migsafe supports PostgreSQL and SQLite"
        )
    return name
