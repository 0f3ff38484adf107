"""Undoing what a migration created, without destroying what was written to it since.

The reverse of ``add_column`` drops the column and the reverse of ``create_table`` drops the
table; by the time a revert runs, the application may have written rows there. These
statements keep that data in the archive schema instead. They find what they need (the
primary key, the indexes and sequences to rename, the foreign keys to drop) in the catalogs
when the revert runs, inside a ``DO`` block, so generating them at apply time costs no query:
the names are fixed now (a unique tag), the rest is read when it is needed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from alembic.operations import ops as aops
from alembic.operations.ops import MigrateOperation
from psycopg import sql

from migsafe.reverse._sql import ident, statement, verbatim
from migsafe.reverse.archive import archive as archive_pg
from migsafe.reverse.archive import archive_name, new_tag
from migsafe.reverse.model import AnyArchive
from migsafe.reverse.sqlite.archive import archive as archive_sqlite
from migsafe.reverse.sqlite.model import SqliteColumnArchive, SqliteTableArchive


def _text(composed: sql.Composable) -> str:
    return composed.as_string(None)


def keep_added_column_sql(
    schema: str, table: str, column: str, archive_schema: str, archive_table: str
) -> list[str]:
    """Copy *column*'s values (those not NULL), keyed by the table's primary key, into the
    archive.

    Values of types outside ``pg_catalog`` are kept as text (a later step of the revert may
    drop their type). A table without a primary key keeps the values alone.
    """
    body = sql.SQL(
        """DO $migsafe$
DECLARE
  t pg_catalog.regclass := {relation}::pg_catalog.regclass;
  keys text;
  val text;
BEGIN
  SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY k.n) INTO keys
    FROM pg_catalog.pg_index i
    CROSS JOIN LATERAL pg_catalog.unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
    JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
   WHERE i.indrelid = t AND i.indisprimary;
  SELECT pg_catalog.quote_ident(a.attname)
         || CASE WHEN ty.typnamespace = 'pg_catalog'::pg_catalog.regnamespace THEN ''
                 ELSE '::text' END
         || ' AS ' || pg_catalog.quote_ident(a.attname) INTO val
    FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type ty ON ty.oid = a.atttypid
   WHERE a.attrelid = t AND a.attname = {column} AND NOT a.attisdropped;
  -- NULLs carry nothing worth keeping: only the values written are copied.
  EXECUTE pg_catalog.format('CREATE TABLE %s AS SELECT %s FROM %s WHERE %I IS NOT NULL',
    {target}, pg_catalog.concat_ws(', ', keys, val), t, {column});
END
$migsafe$"""
    ).format(
        relation=sql.Literal(_text(ident(schema, table))),
        column=sql.Literal(column),
        target=sql.Literal(_text(ident(archive_schema, archive_table))),
    )
    note = f"migsafe: values of {schema}.{table}.{column}, kept when it was reverted"
    return [
        _text(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(archive_schema))),
        _text(body),
        _text(
            sql.SQL("COMMENT ON TABLE {} IS {}").format(
                ident(archive_schema, archive_table), sql.Literal(note)
            )
        ),
    ]


def archive_created_table_sql(
    schema: str, table: str, archive_schema: str, archive_table: str, tag: str
) -> list[str]:
    """Move *table* into the archive schema instead of dropping it.

    Its indexes and owned sequences move with it, renamed with the tag (names are unique per
    schema); its outgoing foreign keys are dropped, so the archive neither blocks nor cascades
    into live tables.
    """
    body = sql.SQL(
        """DO $migsafe$
DECLARE
  t pg_catalog.regclass := {relation}::pg_catalog.regclass;
  r record;
BEGIN
  FOR r IN SELECT conname FROM pg_catalog.pg_constraint WHERE conrelid = t AND contype = 'f'
  LOOP
    EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', t, r.conname);
  END LOOP;
  FOR r IN SELECT c.relname, 'INDEX' AS kind FROM pg_catalog.pg_index i
             JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = t
           UNION ALL
           SELECT s.relname, 'SEQUENCE' FROM pg_catalog.pg_depend d
             JOIN pg_catalog.pg_class s ON s.oid = d.objid
            WHERE d.refobjid = t AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
              AND s.relkind = 'S' AND d.deptype IN ('a', 'i')
  LOOP
    EXECUTE pg_catalog.format('ALTER %s %I.%I RENAME TO %I', r.kind, {schema}, r.relname,
      pg_catalog.left({prefix} || r.relname, 63));
  END LOOP;
END
$migsafe$"""
    ).format(
        relation=sql.Literal(_text(ident(schema, table))),
        schema=sql.Literal(schema),
        prefix=sql.Literal(f"{tag}_"),
    )
    return [
        _text(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(archive_schema))),
        _text(body),
        _text(
            sql.SQL("ALTER TABLE {} RENAME TO {}").format(
                ident(schema, table), sql.Identifier(archive_table)
            )
        ),
        _text(
            sql.SQL("ALTER TABLE {} SET SCHEMA {}").format(
                ident(schema, archive_table), sql.Identifier(archive_schema)
            )
        ),
    ]


def keep(action: AnyArchive, conn: sa.Connection) -> None:
    """Run one archive action, of either dialect, on *conn*."""
    if isinstance(action, SqliteColumnArchive | SqliteTableArchive):
        archive_sqlite(action, conn)
    else:
        archive_pg(action, conn)


def keep_on_revert(
    op: MigrateOperation, rev: Any, archive_schema: str
) -> tuple[Any, tuple[dict[str, Any], ...]]:
    """Make undoing what *op* created keep the data written since, instead of destroying it.

    The reverse of an added column first copies the column's values into the archive (keyed
    by primary key), and the reverse of a created table moves it into the archive schema
    instead of dropping it. The archive names are fixed now; what else the statements need is
    read from the catalogs when the revert runs (see reverse.keep), so this costs no query.
    """
    tag = new_tag()
    if isinstance(op, aops.AddColumnOp):
        dropped = [o for o in rev.ops if isinstance(o, aops.DropColumnOp)]
        if len(dropped) != 1 or dropped[0].schema is None:
            return rev, ()
        column = dropped[0]
        target = archive_name((column.table_name, column.column_name), tag)
        keep = keep_added_column_sql(
            str(column.schema), column.table_name, column.column_name, archive_schema, target
        )
        kept = {
            "when": "revert",
            "kind": "column",
            "schema": column.schema,
            "table": column.table_name,
            "column": column.column_name,
            "archive_schema": archive_schema,
            "archive_table": target,
        }
        return replace(rev, ops=(*[verbatim(s) for s in keep], *rev.ops)), (kept,)
    if isinstance(op, aops.CreateTableOp):
        drops = [o for o in rev.ops if isinstance(o, aops.DropTableOp)]
        if len(drops) != 1 or drops[0].schema is None:
            return rev, ()
        drop = drops[0]
        schema = str(drop.schema)
        target = archive_name((drop.table_name,), tag)
        # Enum types the table brought are dropped after it: its copy must not depend on them.
        retype = [
            statement(
                "ALTER TABLE {} ALTER COLUMN {} TYPE text USING {}::text",
                ident(schema, drop.table_name),
                sql.Identifier(col.name),
                sql.Identifier(col.name),
            )
            for col in op.columns
            if isinstance(col, sa.Column) and isinstance(col.type, sa.Enum) and col.type.native_enum
        ]
        move = [
            verbatim(s)
            for s in archive_created_table_sql(schema, drop.table_name, archive_schema, target, tag)
        ]
        ops: list[MigrateOperation] = []
        for o in rev.ops:
            ops.extend([*retype, *move] if o is drop else [o])
        kept = {
            "when": "revert",
            "kind": "table",
            "schema": schema,
            "table": drop.table_name,
            "archive_schema": archive_schema,
            "archive_table": target,
        }
        return replace(rev, ops=tuple(ops)), (kept,)
    return rev, ()
