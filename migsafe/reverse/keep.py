"""Undoing what a migration created, without destroying what was written to it since.

The reverse of ``add_column`` drops the column and the reverse of ``create_table`` drops the
table; by the time a revert runs, the application may have written rows there. These
statements keep that data in the archive schema instead. They find what they need (the
primary key, the indexes and sequences to rename, the foreign keys to drop) in the catalogs
when the revert runs, inside a ``DO`` block, so generating them at apply time costs no query:
the names are fixed now (a unique tag), the rest is read when it is needed.
"""

from __future__ import annotations

from psycopg import sql

from migsafe.reverse._sql import ident


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
