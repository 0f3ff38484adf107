"""PostgreSQL schema objects outside relations: sequences, user types and functions."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from migsafe.db.fingerprint._common import Description, _Scope
from migsafe.db.fingerprint.postgres_session import _PG_NS, _pg_not_extension, _pg_rows


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
