"""The live schema, read from PostgreSQL's catalogs just before an operation runs.

Alembic operations carry only what the migration author wrote (``op.drop_column("t", "c")``
knows no type), so every reverse is completed from here. The catalogs are read directly
rather than through ``sa.inspect``: the inspector's types lose detail (typmods of arrays,
collations, extension types), and exactness is the whole point.

Catalog renderings are taken with ``search_path`` pinned to empty (:func:`pinned_search_path`),
so every name in them is schema-qualified and a reverse script means the same thing whatever
``search_path`` the revert runs under. Every query here is read-only and cannot fail on a missing
object (``to_regclass`` rather than ``::regclass``): an error would abort the migration's
transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

_RELATION = sa.text(
    """SELECT c.oid, n.nspname, c.relname, c.relkind
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = pg_catalog.to_regclass(CASE WHEN CAST(:schema AS text) IS NULL
        THEN pg_catalog.quote_ident(:name)
        ELSE pg_catalog.quote_ident(:schema) || '.' || pg_catalog.quote_ident(:name) END)"""
)

_COLUMN = sa.text(
    """SELECT a.attnum, pg_catalog.format_type(a.atttypid, a.atttypmod),
        t.typnamespace = 'pg_catalog'::pg_catalog.regnamespace,
        CASE WHEN a.attcollation <> t.typcollation THEN
            pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END,
        a.attnotnull, pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), a.attidentity::text,
        a.attgenerated::text, pg_catalog.col_description(a.attrelid, a.attnum), a.attacl::text[]
    FROM pg_catalog.pg_attribute a
    JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
    LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
    LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
    WHERE a.attrelid = :oid AND a.attname = :name AND a.attnum > 0 AND NOT a.attisdropped"""
)

_OWNED_SEQUENCE = sa.text(
    """SELECT n.nspname, c.relname, d.deptype, pg_catalog.format_type(s.seqtypid, NULL),
        s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
        pg_catalog.pg_sequence_last_value(c.oid)
    FROM pg_catalog.pg_depend d
    JOIN pg_catalog.pg_class c ON c.oid = d.objid AND c.relkind = 'S'
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
    WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
      AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
      AND d.refobjid = :oid AND d.refobjsubid = :attnum AND d.deptype IN ('a', 'i')"""
)

_PRIMARY_KEY = sa.text(
    """SELECT a.attname
    FROM pg_catalog.pg_constraint con
    CROSS JOIN LATERAL pg_catalog.unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
    WHERE con.conrelid = :oid AND con.contype = 'p'
    ORDER BY k.ord"""
)

_DEFERRED = sa.text(
    """SELECT n.nspname, con.conname
    FROM pg_catalog.pg_constraint con
    JOIN pg_catalog.pg_namespace n ON n.oid = con.connamespace
    WHERE con.condeferred
      AND (con.conrelid = :oid OR (con.contype = 'f' AND con.confrelid = :oid))
      AND NOT (con.conrelid = :oid AND CAST(:attnum AS int2) = ANY(con.conkey))
    ORDER BY 1, 2"""
)

_TRIGGERS = sa.text(
    """SELECT tgname, tgenabled::text FROM pg_catalog.pg_trigger
    WHERE tgrelid = :oid AND NOT tgisinternal AND tgenabled IN ('O', 'A') ORDER BY tgname"""
)


@dataclass(frozen=True)
class Live:
    """What every reverse is computed from: the migration's connection, just before the
    operation runs, and the schema that archives go to."""

    conn: sa.Connection
    archive_schema: str


@dataclass(frozen=True)
class Relation:
    """A table (or index, sequence...) as resolved right now: its real schema and name."""

    oid: int
    schema: str
    name: str
    kind: str  # pg_class.relkind


@dataclass(frozen=True)
class SequenceDef:
    """A sequence owned by a column (serial, or identity), with its position."""

    schema: str
    name: str
    identity: bool  # the identity's internal sequence, rather than an OWNED BY serial one
    type_sql: str
    start: int
    increment: int
    minimum: int
    maximum: int
    cache: int
    cycle: bool
    last_value: int | None  # None: never used (nextval() would return start)


@dataclass(frozen=True)
class ColumnDef:
    """Everything needed to re-create a column exactly (apart from its position)."""

    name: str
    attnum: int
    type_sql: str
    builtin_type: bool  # the type lives in pg_catalog (not an enum, domain or extension type)
    collation: str | None  # only when it differs from the type's default
    not_null: bool
    default: str | None  # pg_get_expr; the generation expression for a generated column
    identity: str  # '' | 'a' (ALWAYS) | 'd' (BY DEFAULT)
    generated: str  # '' | 's' (STORED)
    comment: str | None
    acl: tuple[str, ...] | None
    sequence: SequenceDef | None

    @property
    def type_spec(self) -> str:
        """The type as written in ``ADD COLUMN`` / ``ALTER COLUMN TYPE``, collation included."""
        return f"{self.type_sql} COLLATE {self.collation}" if self.collation else self.type_sql


@contextmanager
def pinned_search_path(conn: sa.Connection) -> Iterator[None]:
    """Render catalog text with an empty ``search_path``, transaction-locally, then put it back.

    After a database error the transaction (or savepoint) is aborted and its rollback undoes
    the setting, so it is not touched then.
    """
    # One round trip: the target list is evaluated left to right, the old value first.
    previous = conn.execute(
        sa.text(
            "SELECT pg_catalog.current_setting('search_path'), "
            "pg_catalog.set_config('search_path', '', true)"
        )
    )
    value = previous.one()[0]
    try:
        yield
    except sa.exc.DBAPIError:
        raise
    except BaseException:
        _set_search_path(conn, value)
        raise
    _set_search_path(conn, value)


def _set_search_path(conn: sa.Connection, value: str) -> None:
    conn.execute(sa.text("SELECT pg_catalog.set_config('search_path', :v, true)"), {"v": value})


def relation(conn: sa.Connection, name: str, schema: str | None = None) -> Relation | None:
    """Resolve *name* (through ``search_path`` when *schema* is None) as the server would."""
    row = conn.execute(_RELATION, {"schema": schema, "name": name}).first()
    return None if row is None else Relation(int(row[0]), row[1], row[2], row[3])


def creation_schema(conn: sa.Connection, schema: str | None) -> str | None:
    """The schema an unqualified CREATE would put a new object in."""
    if schema is not None:
        return schema
    found: str | None = conn.execute(sa.text("SELECT pg_catalog.current_schema()")).scalar()
    return found


def column(conn: sa.Connection, table: Relation, name: str) -> ColumnDef | None:
    """The live definition of ``table.name`` (call under :func:`pinned_search_path`)."""
    row = conn.execute(_COLUMN, {"oid": table.oid, "name": name}).first()
    if row is None:
        return None
    attnum, type_sql, builtin, coll, notnull, default, identity, generated, comment, acl = row
    return ColumnDef(
        name=name,
        attnum=int(attnum),
        type_sql=type_sql,
        builtin_type=bool(builtin),
        collation=coll,
        not_null=bool(notnull),
        default=default,
        identity=identity or "",
        generated=generated or "",
        comment=comment,
        acl=tuple(acl) if acl else None,
        sequence=_owned_sequence(conn, table, int(attnum)),
    )


def _owned_sequence(conn: sa.Connection, table: Relation, attnum: int) -> SequenceDef | None:
    row = conn.execute(_OWNED_SEQUENCE, {"oid": table.oid, "attnum": attnum}).first()
    if row is None:
        return None
    schema, name, deptype, type_sql, start, inc, minimum, maximum, cache, cycle, last = row
    return SequenceDef(
        schema=schema,
        name=name,
        identity=deptype == "i",
        type_sql=type_sql,
        start=int(start),
        increment=int(inc),
        minimum=int(minimum),
        maximum=int(maximum),
        cache=int(cache),
        cycle=bool(cycle),
        last_value=None if last is None else int(last),
    )


def primary_key(conn: sa.Connection, table: Relation) -> tuple[str, ...]:
    """The primary key's columns, in key order; empty when the table has none."""
    return tuple(r[0] for r in conn.execute(_PRIMARY_KEY, {"oid": table.oid}))


def firing_triggers(conn: sa.Connection, table: Relation) -> tuple[tuple[str, str], ...]:
    """User triggers that fire in a normal session: ``(name, tgenabled)``."""
    return tuple((r[0], r[1]) for r in conn.execute(_TRIGGERS, {"oid": table.oid}))


def deferred_constraints(
    conn: sa.Connection, table: Relation, *, without_attnum: int | None = None
) -> tuple[tuple[str, str], ...]:
    """INITIALLY DEFERRED constraints an UPDATE of *table* queues checks for: its own, and
    foreign keys that reference it; without those on column *without_attnum* (a dropped
    column's constraints do not exist yet when its values are restored)."""
    params = {"oid": table.oid, "attnum": without_attnum or 0}
    return tuple((r[0], r[1]) for r in conn.execute(_DEFERRED, params))


def table_comment(conn: sa.Connection, table: Relation) -> str | None:
    comment: str | None = conn.execute(
        sa.text("SELECT pg_catalog.obj_description(:oid, 'pg_class')"), {"oid": table.oid}
    ).scalar()
    return comment


def scalar(conn: sa.Connection, query: str, **params: Any) -> Any:
    """One value from a read-only catalog query."""
    return conn.execute(sa.text(query), params).scalar()
