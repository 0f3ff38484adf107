"""Raw ``ALTER TYPE ... ADD VALUE`` and ``RENAME VALUE`` on enum types, undone.

PostgreSQL cannot remove a value from an enum, so the reverse of ``ADD VALUE`` rebuilds the
type with the labels it had: the old type is renamed away, the type re-created under its name,
every column of it (or of its array) converted through text, and the old type dropped. What
would stop that conversion is set aside first and put back after, from the catalogs: defaults,
CHECK constraints and indexes whose expressions name the type (``WHERE state = 'x'::t``
would compare the new type with the old). Anything else that uses the type (views,
functions, domains, composite or inherited columns) is refused with its name. Rows written
since that hold the added value make the conversion fail: the revert rolls back and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from pglast import ast
from psycopg import sql

from migsafe.reverse._pgnodes import names
from migsafe.reverse._sql import ident, statement, verbatim
from migsafe.reverse.model import Reverse
from migsafe.reverse.reflect import Live, pinned_search_path
from migsafe.reverse.reflect_objects import TypeDef, user_type

_TYPE_OIDS = sa.text(
    """SELECT t.oid, t.typarray, t.typacl IS NOT NULL FROM pg_catalog.pg_type t
    WHERE t.oid = pg_catalog.to_regtype(:name)"""
)

# Everything that depends on the type or its array type, but the array type itself.
_DEPENDENTS = sa.text(
    """SELECT DISTINCT CASE
        WHEN d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objsubid > 0
            AND c.relkind = 'r' AND NOT c.relhassubclass AND a.attinhcount = 0 THEN 'column'
        WHEN d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objsubid = 0
            AND c.relkind = 'i' THEN 'index'
        WHEN d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass THEN 'default'
        WHEN d.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass
            AND con.contype = 'c' AND con.conrelid <> 0 THEN 'check'
        ELSE 'other' END AS kind,
        d.objid, d.objsubid, pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid)
    FROM pg_catalog.pg_depend d
    LEFT JOIN pg_catalog.pg_class c
        ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND c.oid = d.objid
    LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid
    LEFT JOIN pg_catalog.pg_constraint con
        ON d.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass AND con.oid = d.objid
    WHERE d.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass
      AND d.refobjid IN (:type, :array)
      AND NOT (d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.objid = :array)
    ORDER BY 1, 2, 3"""
)

_COLUMN = sa.text(
    """SELECT n.nspname, c.relname, a.attname, a.atttypid = :array
    FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE a.attrelid = :oid AND a.attnum = :attnum"""
)

_INDEX = sa.text(
    """SELECT n.nspname, i.relname, pg_catalog.pg_get_indexdef(i.oid),
        pg_catalog.obj_description(i.oid, 'pg_class')
    FROM pg_catalog.pg_class i JOIN pg_catalog.pg_namespace n ON n.oid = i.relnamespace
    WHERE i.oid = :oid"""
)

_DEFAULT = sa.text(
    """SELECT n.nspname, c.relname, a.attname, pg_catalog.pg_get_expr(ad.adbin, ad.adrelid)
    FROM pg_catalog.pg_attrdef ad
    JOIN pg_catalog.pg_class c ON c.oid = ad.adrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_catalog.pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
    WHERE ad.oid = :oid"""
)

_CHECK = sa.text(
    """SELECT n.nspname, c.relname, con.conname, pg_catalog.pg_get_constraintdef(con.oid),
        pg_catalog.obj_description(con.oid, 'pg_constraint')
    FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE con.oid = :oid"""
)


@dataclass(frozen=True)
class _Uses:
    """What rebuilding the type has to convert, or set aside and put back."""

    columns: list[tuple[sql.Composed, str, bool]]  # (table, column, of the array type)
    indexes: list[tuple[sql.Composed, str, str | None]]  # (name, definition, comment)
    defaults: list[tuple[sql.Composed, str, str]]  # (table, column, expression)
    checks: list[tuple[sql.Composed, str, str, str | None]]  # (table, name, definition, comment)


def _alter_enum(node: ast.AlterEnumStmt, live: Live) -> Reverse:
    given, name = names(node.typeName)
    qualified = (sql.Identifier(name) if given is None else ident(given, name)).as_string(None)
    found = user_type(live.conn, qualified)
    if found is None or found.kind != "e":
        return Reverse.failing(f"{name} is not an enum type")
    new = node.newVal or ""
    if node.oldVal is not None:
        if node.oldVal not in found.labels or new in found.labels:
            return Reverse.failing(f"{name} has no label {node.oldVal!r} to rename to {new!r}")
        target = ident(found.schema, found.name)
        back = statement(
            "ALTER TYPE {} RENAME VALUE {} TO {}",
            target,
            sql.Literal(new),
            sql.Literal(node.oldVal),
        )
        return Reverse(ops=(back,))
    if new in found.labels:
        if node.skipIfNewValExists:
            return Reverse.nothing()
        return Reverse.failing(f"{name} already has the label {new!r}")
    return _rebuild(found, qualified, live.conn)


def _rebuild(found: TypeDef, qualified: str, conn: sa.Connection) -> Reverse:
    type_oid, array_oid, has_acl = conn.execute(_TYPE_OIDS, {"name": qualified}).one()
    with pinned_search_path(conn):
        rows = conn.execute(_DEPENDENTS, {"type": type_oid, "array": array_oid}).all()
        others = [r[3] for r in rows if r[0] == "other"]
        if others:
            used = ", ".join(others)
            return Reverse.refused(
                f"removing a value from enum {found.schema}.{found.name} means rebuilding it, "
                f"and {used} uses it"
            )
        uses = _uses(conn, rows, array_oid)
    target = ident(found.schema, found.name)
    parked_name = f"{found.name[:40]}__migsafe_old"
    parked = ident(found.schema, parked_name)
    out = [statement("DROP INDEX {}", name) for name, _, _ in uses.indexes]
    out += [
        statement("ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT", table, sql.Identifier(column))
        for table, column, _ in uses.defaults
    ]
    out += [
        statement("ALTER TABLE {} DROP CONSTRAINT {}", table, sql.Identifier(name))
        for table, name, _, _ in uses.checks
    ]
    labels = sql.SQL(", ").join(sql.Literal(label) for label in found.labels)
    out += [
        statement("ALTER TYPE {} RENAME TO {}", target, sql.Identifier(parked_name)),
        statement("CREATE TYPE {} AS ENUM ({})", target, labels),
    ]
    if found.comment is not None:
        out.append(statement("COMMENT ON TYPE {} IS {}", target, sql.Literal(found.comment)))
    for table, column, is_array in uses.columns:
        suffix = "[]" if is_array else ""
        out.append(
            statement(
                # IF EXISTS: a table the archive keeps may have been pruned since.
                "ALTER TABLE IF EXISTS {} ALTER COLUMN {} TYPE {}{} USING {}::text{}::{}{}",
                table,
                sql.Identifier(column),
                target,
                suffix,
                sql.Identifier(column),
                suffix,
                target,
                suffix,
            )
        )
    out.append(statement("DROP TYPE {}", parked))
    out += [
        statement("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {}", t, sql.Identifier(c), expr)
        for t, c, expr in uses.defaults
    ]
    for table, name, definition, comment in uses.checks:
        out.append(
            statement(
                "ALTER TABLE {} ADD CONSTRAINT {} {}", table, sql.Identifier(name), definition
            )
        )
        if comment is not None:
            out.append(
                statement(
                    "COMMENT ON CONSTRAINT {} ON {} IS {}",
                    sql.Identifier(name),
                    table,
                    sql.Literal(comment),
                )
            )
    for index_name, definition, comment in uses.indexes:
        out.append(verbatim(definition))
        if comment is not None:
            out.append(statement("COMMENT ON INDEX {} IS {}", index_name, sql.Literal(comment)))
    caveats = (f"{found.schema}.{found.name}'s privileges are not re-granted",) if has_acl else ()
    return Reverse(ops=tuple(out), caveats=caveats)


def _uses(conn: sa.Connection, rows: Sequence[Any], array: int) -> _Uses:
    uses = _Uses([], [], [], [])
    for row in rows:
        kind, oid, subid = row[0], row[1], row[2]
        if kind == "column":
            schema, table, column, is_array = conn.execute(
                _COLUMN, {"oid": oid, "attnum": subid, "array": array}
            ).one()
            uses.columns.append((ident(schema, table), column, bool(is_array)))
        elif kind == "index":
            schema, index, definition, comment = conn.execute(_INDEX, {"oid": oid}).one()
            uses.indexes.append((ident(schema, index), definition, comment))
        elif kind == "default":
            schema, table, column, expression = conn.execute(_DEFAULT, {"oid": oid}).one()
            uses.defaults.append((ident(schema, table), column, expression))
        elif kind == "check":
            schema, table, name, definition, comment = conn.execute(_CHECK, {"oid": oid}).one()
            uses.checks.append((ident(schema, table), name, definition, comment))
    return uses


ENUM_MIRRORS: dict[type, Any] = {ast.AlterEnumStmt: _alter_enum}
