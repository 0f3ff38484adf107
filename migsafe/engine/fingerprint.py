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
* the data is one hash per table, independent of row order (tables have no order), with the
  row count folded in; views are not data, and neither are sequence positions.

On PostgreSQL the catalog functions and row rendering depend on session settings
(``search_path`` decides how names are qualified, ``TimeZone`` how a ``timestamptz`` prints), so
they are pinned, transaction-locally, while a fingerprint is taken and put back afterwards:
fingerprints from different sessions or processes are comparable.

Take both fingerprints in one ``REPEATABLE READ`` transaction, or with no concurrent writers,
if they must describe a single instant: each table is read by its own statement.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func, literal_column, select, text
from sqlalchemy.engine import Connection

from migsafe.errors import ConfigError

__all__ = [
    "DEFAULT_EXCLUDE_SCHEMAS",
    "Fingerprint",
    "data_fingerprint",
    "diff_descriptions",
    "fingerprint",
    "schema_description",
    "schema_fingerprint",
]

Description = dict[str, Any]
_Rows = list[tuple[Any, ...]]

#: migsafe's own bookkeeping lives here; it changes on every run, so it is never compared.
DEFAULT_EXCLUDE_SCHEMAS: tuple[str, ...] = ("migsafe",)


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
) -> Fingerprint:
    """Schema and data fingerprint of the database *conn* is connected to."""
    kw = {"exclude_schemas": exclude_schemas, "exclude_tables": exclude_tables}
    tables, counts = data_fingerprint(conn, **kw)
    return Fingerprint(schema=schema_fingerprint(conn, **kw), tables=tables, row_counts=counts)


def schema_fingerprint(
    conn: Connection,
    *,
    exclude_schemas: Collection[str] = DEFAULT_EXCLUDE_SCHEMAS,
    exclude_tables: Collection[str] = (),
) -> str:
    """sha256 (hex) of :func:`schema_description`."""
    return _sha256_json(
        schema_description(conn, exclude_schemas=exclude_schemas, exclude_tables=exclude_tables)
    )


def schema_description(
    conn: Connection,
    *,
    exclude_schemas: Collection[str] = DEFAULT_EXCLUDE_SCHEMAS,
    exclude_tables: Collection[str] = (),
) -> Description:
    """A canonical, JSON-serialisable description of the schema, with sorted keys.

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
            for schema, name in _pg_tables(conn, scope):
                key = f"{schema}.{name}"
                hashes[key], counts[key] = _pg_table_hash(conn, schema, name)
    else:
        for schema, name in _sqlite_tables(conn, scope):
            key = f"{schema}.{name}"
            hashes[key], counts[key] = _sqlite_table_hash(conn, schema, name)
    return hashes, counts


# --- diffs ---------------------------------------------------------------------------------

#: Keys whose values are collections of named objects (shown as ``["name"]`` in paths).
_COLLECTIONS = frozenset(
    {
        "schemas",
        "extensions",
        "relations",
        "columns",
        "constraints",
        "indexes",
        "triggers",
        "policies",
        "sequences",
        "types",
        "functions",
        "checks",
    }
)
_SHORT = 100


def diff_descriptions(a: Description, b: Description) -> list[str]:
    """What differs from *a* (before) to *b* (after), one human-readable line per difference.

    Lines look like ``relations["public.t"].columns["id"].type: 'integer' -> 'bigint'``,
    ``... .indexes["ix_t_a"]: removed`` or ``... .columns: order ['a', 'b'] -> ['b', 'a']``.
    """
    out: list[str] = []
    _diff(a, b, "", False, out)
    return out


def _diff(a: Any, b: Any, path: str, named: bool, out: list[str]) -> None:
    if isinstance(a, list) and isinstance(b, list) and _named_list(a) and _named_list(b):
        order_a = [x["name"] for x in a]
        order_b = [x["name"] for x in b]
        _diff({x["name"]: x for x in a}, {x["name"]: x for x in b}, path, True, out)
        common = set(order_a) & set(order_b)
        kept_a = [n for n in order_a if n in common]
        kept_b = [n for n in order_b if n in common]
        if kept_a != kept_b:
            out.append(f"{path or '<root>'}: order {kept_a!r} -> {kept_b!r}")
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(a.keys() | b.keys(), key=str):
            sub = (
                f"{path}[{json.dumps(key, ensure_ascii=False)}]"
                if named
                else (f"{path}.{key}" if path else str(key))
            )
            child_named = not named and key in _COLLECTIONS
            if key not in b:
                out.append(f"{sub}: removed")
            elif key not in a:
                out.append(f"{sub}: added")
            else:
                _diff(a[key], b[key], sub, child_named, out)
        return
    if a != b:
        out.append(f"{path or '<root>'}: {_show_pair(a, b)}")


def _named_list(items: list[Any]) -> bool:
    names = [x.get("name") for x in items if isinstance(x, dict)]
    return len(names) == len(items) and None not in names and len(set(names)) == len(names)


def _show_pair(a: Any, b: Any) -> str:
    """Both values, shortened around their first difference (function bodies are long)."""
    if isinstance(a, str) and isinstance(b, str) and max(len(a), len(b)) > _SHORT:
        start = 0
        while start < min(len(a), len(b)) and a[start] == b[start]:
            start += 1
        start = max(0, start - 20)
        return f"{_clip(a, start)} -> {_clip(b, start)}"
    return f"{_clip(a)} -> {_clip(b)}"


def _clip(value: Any, start: int = 0) -> str:
    if isinstance(value, str):
        shown = repr(value[start : start + _SHORT])
        return ("…" if start else "") + shown + ("…" if len(value) > start + _SHORT else "")
    shown = repr(value)
    return shown if len(shown) <= _SHORT else shown[:_SHORT] + "…"


# --- shared helpers ------------------------------------------------------------------------


class _Scope:
    """Which schemas and relations take part (the exclusions given by the caller)."""

    def __init__(self, exclude_schemas: Collection[str], exclude_tables: Collection[str]):
        # A bare string is a Collection[str] too, and `in` would then match substrings.
        self.schemas = (
            {exclude_schemas} if isinstance(exclude_schemas, str) else set(exclude_schemas)
        )
        self.tables = {exclude_tables} if isinstance(exclude_tables, str) else set(exclude_tables)

    def schema(self, schema: str) -> bool:
        return schema not in self.schemas

    def relation(self, schema: str, name: str) -> bool:
        return (
            schema not in self.schemas
            and f"{schema}.{name}" not in self.tables
            and name not in self.tables
        )


def _dialect(conn: Connection) -> str:
    name = conn.dialect.name
    if name not in ("postgresql", "sqlite"):
        raise ConfigError(
            f"cannot fingerprint a {name} database", hint="migsafe supports PostgreSQL and SQLite"
        )
    return name


def _sha256_json(value: Any) -> str:
    blob = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _sorted(value: Any) -> Any:
    """Dict keys sorted recursively, so the description reads (and serialises) canonically."""
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def _char(value: str | None) -> str | None:
    """PostgreSQL ``"char"`` flags are '' when unset; None reads better in a diff."""
    return value or None


# --- PostgreSQL ----------------------------------------------------------------------------

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
        apply(previous)
        raise
    apply(previous)


def _pg_rows(conn: Connection, sql: str) -> _Rows:
    return [tuple(row) for row in conn.execute(text(sql))]


def _pg_description(conn: Connection, scope: _Scope) -> Description:
    schemas: Description = {}
    for name, comment in _pg_rows(
        conn,
        f"""SELECT n.nspname, pg_catalog.obj_description(n.oid, 'pg_namespace')
        FROM pg_catalog.pg_namespace n
        WHERE {_PG_NS} AND {_pg_not_extension("pg_namespace", "n.oid")}""",
    ):
        if scope.schema(name):
            schemas[name] = {"comment": comment}

    extensions = {
        name: {"version": version, "schema": schema}
        for name, version, schema in _pg_rows(
            conn,
            """SELECT e.extname, e.extversion, n.nspname FROM pg_catalog.pg_extension e
            JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace""",
        )
    }

    relations = _pg_relations(conn, scope)
    _pg_attach_to_relations(conn, scope, relations)
    return {
        "dialect": "postgresql",
        "schemas": schemas,
        "extensions": extensions,
        "relations": relations,
        "sequences": _pg_sequences(conn, scope),
        "types": _pg_types(conn, scope),
        "functions": _pg_functions(conn, scope),
    }


def _pg_relations(conn: Connection, scope: _Scope) -> Description:
    kinds = {
        "r": "table",
        "p": "partitioned table",
        "v": "view",
        "m": "materialized view",
        "f": "foreign table",
    }
    relations: Description = {}
    for row in _pg_rows(
        conn,
        f"""SELECT n.nspname, c.relname, c.relkind, c.relpersistence,
            CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END,
            CASE WHEN c.relispartition
                THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END,
            ARRAY(SELECT i.inhparent::pg_catalog.regclass::text FROM pg_catalog.pg_inherits i
                  WHERE i.inhrelid = c.oid ORDER BY i.inhseqno),
            c.reloptions, c.relrowsecurity, c.relforcerowsecurity,
            CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid, true) END,
            CASE WHEN c.relkind = 'm' THEN c.relispopulated END,
            pg_catalog.obj_description(c.oid, 'pg_class'),
            COALESCE(c.relacl, pg_catalog.acldefault('r', c.relowner))::text[]
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND {_PG_NS}
          AND {_pg_not_extension("pg_class", "c.oid")}""",
    ):
        (
            schema,
            name,
            kind,
            persistence,
            partkey,
            partbound,
            parents,
            options,
            rls,
            force_rls,
            viewdef,
            populated,
            comment,
            acl,
        ) = row
        if not scope.relation(schema, name):
            continue
        relations[f"{schema}.{name}"] = {
            "kind": kinds[kind],
            "unlogged": persistence == "u",
            "partition_key": partkey,
            "partition_bound": partbound,
            "inherits": list(parents),
            "options": sorted(options or []),
            "row_security": [rls, force_rls],
            "definition": viewdef,
            "populated": populated,
            "comment": comment,
            "acl": sorted(acl or []),
            "columns": [],
            "constraints": {},
            "indexes": {},
            "triggers": {},
            "policies": {},
        }
    return relations


def _pg_attach_to_relations(conn: Connection, scope: _Scope, relations: Description) -> None:
    """Columns, constraints, indexes, triggers and policies, each under its relation."""

    def owner(schema: str, name: str) -> Description | None:
        return relations.get(f"{schema}.{name}") if scope.relation(schema, name) else None

    # Ordered by attnum, but attnum itself is left out: dropped columns leave gaps in it.
    for row in _pg_rows(
        conn,
        f"""SELECT n.nspname, c.relname, a.attname,
            pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
            pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), a.attidentity, a.attgenerated,
            CASE WHEN a.attcollation <> 0 THEN
                pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname)
            END,
            pg_catalog.col_description(c.oid, a.attnum), a.attacl::text[]
        FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
        LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
        LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
        WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND {_PG_NS}
        ORDER BY c.oid, a.attnum""",
    ):
        schema, rel, name, type_, notnull, default, identity, generated, coll, comment, acl = row
        if (target := owner(schema, rel)) is not None:
            target["columns"].append(
                {
                    "name": name,
                    "type": type_,
                    "not_null": notnull,
                    "default": default,
                    "identity": _char(identity),
                    "generated": _char(generated),
                    "collation": coll,
                    "comment": comment,
                    "acl": sorted(acl or []),
                }
            )

    for schema, rel, name, kind, definition, comment in _pg_rows(
        conn,
        f"""SELECT n.nspname, c.relname, con.conname, con.contype,
            pg_catalog.pg_get_constraintdef(con.oid, true),
            pg_catalog.obj_description(con.oid, 'pg_constraint')
        FROM pg_catalog.pg_constraint con
        JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE {_PG_NS}""",
    ):
        if (target := owner(schema, rel)) is not None:
            target["constraints"][name] = {
                "type": kind,
                "definition": definition,
                "comment": comment,
            }

    for schema, rel, name, definition, valid, clustered, comment in _pg_rows(
        conn,
        f"""SELECT n.nspname, t.relname, i.relname,
            pg_catalog.pg_get_indexdef(x.indexrelid), x.indisvalid, x.indisclustered,
            pg_catalog.obj_description(i.oid, 'pg_class')
        FROM pg_catalog.pg_index x
        JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
        JOIN pg_catalog.pg_class t ON t.oid = x.indrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
        WHERE {_PG_NS}""",
    ):
        if (target := owner(schema, rel)) is not None:
            target["indexes"][name] = {
                "definition": definition,
                "valid": valid,
                "clustered": clustered,
                "comment": comment,
            }

    for schema, rel, name, definition, enabled in _pg_rows(
        conn,
        f"""SELECT n.nspname, c.relname, tg.tgname,
            pg_catalog.pg_get_triggerdef(tg.oid, true), tg.tgenabled
        FROM pg_catalog.pg_trigger tg
        JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT tg.tgisinternal AND {_PG_NS}""",
    ):
        if (target := owner(schema, rel)) is not None:
            target["triggers"][name] = {"definition": definition, "enabled": enabled}

    for schema, rel, name, permissive, roles, cmd, qual, check in _pg_rows(
        conn,
        """SELECT schemaname, tablename, policyname, permissive, roles::text[], cmd,
            qual, with_check
        FROM pg_catalog.pg_policies""",
    ):
        if (target := owner(schema, rel)) is not None:
            target["policies"][name] = {
                "permissive": permissive,
                "roles": sorted(roles or []),
                "command": cmd,
                "using": qual,
                "with_check": check,
            }


def _pg_sequences(conn: Connection, scope: _Scope) -> Description:
    """Sequence definitions; their current value is not schema, and moves on every insert."""
    sequences: Description = {}
    for row in _pg_rows(
        conn,
        f"""SELECT n.nspname, c.relname, pg_catalog.format_type(s.seqtypid, NULL),
            s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
            c.relpersistence,
            (SELECT d.refobjid::pg_catalog.regclass::text || '.'
                    || pg_catalog.quote_ident(a.attname) || ' (' || d.deptype::text || ')'
             FROM pg_catalog.pg_depend d
             JOIN pg_catalog.pg_attribute a
               ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
             WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid
               AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
               AND d.deptype IN ('a', 'i')
             LIMIT 1),
            pg_catalog.obj_description(c.oid, 'pg_class'),
            COALESCE(c.relacl, pg_catalog.acldefault('s', c.relowner))::text[]
        FROM pg_catalog.pg_sequence s
        JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE {_PG_NS} AND {_pg_not_extension("pg_class", "c.oid")}""",
    ):
        (
            schema,
            name,
            type_,
            start,
            increment,
            minimum,
            maximum,
            cache,
            cycle,
            persistence,
            owned_by,
            comment,
            acl,
        ) = row
        if scope.relation(schema, name):
            sequences[f"{schema}.{name}"] = {
                "type": type_,
                "start": start,
                "increment": increment,
                "min": minimum,
                "max": maximum,
                "cache": cache,
                "cycle": cycle,
                "unlogged": persistence == "u",
                "owned_by": owned_by,
                "comment": comment,
                "acl": sorted(acl or []),
            }
    return sequences


def _pg_types(conn: Connection, scope: _Scope) -> Description:
    """Enums (labels in order), domains, composite and range types defined by users."""
    kinds = {"e": "enum", "d": "domain", "c": "composite", "r": "range"}
    types: Description = {}
    for row in _pg_rows(
        conn,
        f"""SELECT n.nspname, t.typname, t.typtype,
            CASE WHEN t.typtype = 'e' THEN ARRAY(
                SELECT e.enumlabel::text FROM pg_catalog.pg_enum e
                WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) END,
            CASE WHEN t.typtype = 'd'
                THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) END,
            t.typnotnull, t.typdefault,
            CASE WHEN t.typtype = 'd' THEN (
                SELECT pg_catalog.json_object_agg(
                    con.conname, pg_catalog.pg_get_constraintdef(con.oid, true))
                FROM pg_catalog.pg_constraint con WHERE con.contypid = t.oid) END,
            CASE WHEN t.typtype = 'c' THEN (
                SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
                    'name', a.attname,
                    'type', pg_catalog.format_type(a.atttypid, a.atttypmod)) ORDER BY a.attnum)
                FROM pg_catalog.pg_attribute a
                WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) END,
            CASE WHEN t.typtype = 'r' THEN (
                SELECT pg_catalog.format_type(r.rngsubtype, NULL) FROM pg_catalog.pg_range r
                WHERE r.rngtypid = t.oid) END,
            pg_catalog.obj_description(t.oid, 'pg_type')
        FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
        WHERE t.typtype IN ('e', 'd', 'c', 'r') AND {_PG_NS}
          AND (t.typtype <> 'c' OR EXISTS (
                SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c'))
          AND {_pg_not_extension("pg_type", "t.oid")}""",
    ):
        (
            schema,
            name,
            kind,
            labels,
            base,
            notnull,
            default,
            checks,
            attributes,
            subtype,
            comment,
        ) = row
        if scope.schema(schema):
            types[f"{schema}.{name}"] = {
                "kind": kinds[kind],
                "labels": labels,
                "base_type": base,
                "not_null": notnull,
                "default": default,
                "checks": checks or {},
                "attributes": attributes,
                "subtype": subtype,
                "comment": comment,
            }
    return types


def _pg_functions(conn: Connection, scope: _Scope) -> Description:
    """Functions and procedures by signature; aggregates have no functiondef, only a name."""
    functions: Description = {}
    for schema, name, args, kind, definition, comment, acl in _pg_rows(
        conn,
        f"""SELECT n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid),
            p.prokind,
            CASE WHEN p.prokind <> 'a' THEN pg_catalog.pg_get_functiondef(p.oid) END,
            pg_catalog.obj_description(p.oid, 'pg_proc'),
            COALESCE(p.proacl, pg_catalog.acldefault('f', p.proowner))::text[]
        FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
        WHERE {_PG_NS} AND {_pg_not_extension("pg_proc", "p.oid")}""",
    ):
        if scope.schema(schema):
            functions[f"{schema}.{name}({args})"] = {
                "kind": kind,
                "definition": definition,
                "comment": comment,
                "acl": sorted(acl or []),
            }
    return functions


def _pg_tables(conn: Connection, scope: _Scope) -> list[tuple[str, str]]:
    """Tables that hold rows: plain tables and partitions, not partitioned parents."""
    rows = _pg_rows(
        conn,
        f"""SELECT n.nspname, c.relname
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND {_PG_NS} AND {_pg_not_extension("pg_class", "c.oid")}
        ORDER BY 1, 2""",
    )
    return [(s, t) for s, t in rows if scope.relation(s, t)]


def _pg_table_hash(conn: Connection, schema: str, name: str) -> tuple[str, int]:
    """Hash of a table's rows, computed server-side so the rows never cross the network.

    Each row's text form is md5-hashed and the two 64-bit halves of those hashes are summed
    exactly (``numeric``): a multiset hash, order-independent like sorting the row hashes but
    streaming, so it needs no sort and no per-table memory (a sorted ``string_agg`` would hit
    the 1 GB value limit at about 30 million rows). ``FROM ONLY``: rows of inheritance
    children are hashed with their own table, not twice.
    """
    source = sa.table(name, schema=schema).alias("t")
    hashed = (
        select(literal_column("pg_catalog.md5((t.*)::text)").label("h"))
        .select_from(source)
        .with_hint(source, "ONLY", "postgresql")
        .subquery("r")
    )
    half = "('x' || pg_catalog.substr(r.h, {}, 16))::bit(64)::bigint"
    stmt: sa.Executable = select(
        func.count(),
        func.sum(literal_column(half.format(1))),
        func.sum(literal_column(half.format(17))),
    ).select_from(hashed)
    count, high, low = conn.execute(stmt).one()
    digest = _sha256_json(["pg-md5-sum/1", count, str(high or 0), str(low or 0)])
    return digest, int(count)


# --- SQLite --------------------------------------------------------------------------------


def _sqlite_quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)


def _sqlite_pragma(conn: Connection, schema: str, pragma: str, arg: str) -> _Rows:
    """``PRAGMA schema.pragma(arg)``; pragmas take no bound parameters, so both are quoted."""
    sql = f"PRAGMA {_sqlite_quote(conn, schema)}.{pragma}({_sqlite_quote(conn, arg)})"
    return [tuple(row) for row in conn.exec_driver_sql(sql)]


def _sqlite_databases(conn: Connection, scope: _Scope) -> list[str]:
    """``main`` and attached databases; ``temp`` belongs to one connection, not the database."""
    names = [row[1] for row in conn.exec_driver_sql("PRAGMA database_list").all()]
    return [n for n in names if n != "temp" and scope.schema(n)]


def _sqlite_master(conn: Connection, schema: str) -> _Rows:
    master = sa.table(
        "sqlite_master",
        sa.column("type"),
        sa.column("name"),
        sa.column("tbl_name"),
        sa.column("sql"),
        schema=schema,
    )
    rows = conn.execute(select(master.c.type, master.c.name, master.c.tbl_name, master.c.sql))
    # Names starting with sqlite_ are SQLite's own (sqlite_sequence, sqlite_stat1, ...).
    return [tuple(r) for r in rows if not r.name.lower().startswith("sqlite_")]


_SQL_QUOTED = re.compile(r"""('(?:[^']|'')*'|"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\])""")
_SQL_SPACE = re.compile(r"\s+")
_SQL_PUNCT = re.compile(r" ?([(),]) ?")


def _normalize_sql(sql: str | None) -> str | None:
    """Whitespace-insensitive form of stored DDL, leaving quoted text alone.

    SQLite keeps DDL as typed, and ``ALTER TABLE ADD COLUMN`` splices text into it, so the
    same table can be stored with different spacing.
    """
    if sql is None:
        return None
    parts = _SQL_QUOTED.split(sql)
    for i in range(0, len(parts), 2):  # even indexes are outside quotes
        parts[i] = _SQL_PUNCT.sub(r"\1", _SQL_SPACE.sub(" ", parts[i]))
    return "".join(parts).strip()


def _sqlite_description(conn: Connection, scope: _Scope) -> Description:
    relations: Description = {}
    for schema in _sqlite_databases(conn, scope):
        entries = _sqlite_master(conn, schema)
        for type_, name, _table, sql in entries:
            if type_ in ("table", "view") and scope.relation(schema, name):
                relations[f"{schema}.{name}"] = _sqlite_relation(conn, schema, name, type_, sql)
        for type_, name, table, sql in entries:
            owner = relations.get(f"{schema}.{table}")
            if type_ == "trigger" and owner is not None:
                owner["triggers"][name] = _normalize_sql(sql)
            elif type_ == "index" and owner is not None:
                owner["indexes"].setdefault(name, {})["sql"] = _normalize_sql(sql)
    return {"dialect": "sqlite", "relations": relations}


def _sqlite_relation(
    conn: Connection, schema: str, name: str, type_: str, sql: str | None
) -> Description:
    try:  # table_xinfo (SQLite 3.26+) also lists generated and hidden columns
        info = _sqlite_pragma(conn, schema, "table_xinfo", name)
        columns = [
            {
                "name": r[1],
                "type": r[2],
                "not_null": bool(r[3]),
                "default": r[4],
                "pk": r[5],
                "hidden": r[6],
            }
            for r in info
        ]
    except sa.exc.DBAPIError:
        info = _sqlite_pragma(conn, schema, "table_info", name)
        columns = [
            {"name": r[1], "type": r[2], "not_null": bool(r[3]), "default": r[4], "pk": r[5]}
            for r in info
        ]
    indexes: Description = {}
    foreign_keys: list[Description] = []
    if type_ == "table":
        # index_list's seq column is only a position in its output, so it is left out.
        for _seq, index, unique, origin, partial in _sqlite_pragma(
            conn, schema, "index_list", name
        ):
            cols = _sqlite_pragma(conn, schema, "index_info", index)
            indexes[index] = {
                "unique": bool(unique),
                "origin": origin,
                "partial": bool(partial),
                "columns": [r[2] for r in cols],
                "sql": None,
            }
        foreign_keys = [
            {
                "id": r[0],
                "seq": r[1],
                "table": r[2],
                "from": r[3],
                "to": r[4],
                "on_update": r[5],
                "on_delete": r[6],
                "match": r[7],
            }
            for r in _sqlite_pragma(conn, schema, "foreign_key_list", name)
        ]
        foreign_keys.sort(key=lambda fk: (fk["id"], fk["seq"]))
    return {
        "kind": type_,
        "sql": _normalize_sql(sql),
        "columns": columns,
        "indexes": indexes,
        "foreign_keys": foreign_keys,
        "triggers": {},
    }


def _sqlite_tables(conn: Connection, scope: _Scope) -> list[tuple[str, str]]:
    return sorted(
        (schema, name)
        for schema in _sqlite_databases(conn, scope)
        for type_, name, _table, _sql in _sqlite_master(conn, schema)
        if type_ == "table" and scope.relation(schema, name)
    )


def _sqlite_table_hash(conn: Connection, schema: str, name: str) -> tuple[str, int]:
    """Hash of a table's rows: each row's ``repr`` hashed, the digests sorted, then hashed.

    The driver returns only int, float, str, bytes and None, whose reprs are exact and
    unambiguous; sorting digests rather than rows keeps memory at 32 bytes a row.
    """
    query: sa.Executable = select(literal_column("*")).select_from(sa.table(name, schema=schema))
    digests = sorted(
        hashlib.sha256(repr(tuple(row)).encode("utf-8")).digest() for row in conn.execute(query)
    )
    total = hashlib.sha256(f"sqlite-sorted-sha256/1\n{len(digests)}\n".encode())
    for digest in digests:
        total.update(digest)
    return total.hexdigest(), len(digests)
