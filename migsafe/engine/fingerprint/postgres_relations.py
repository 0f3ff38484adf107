"""PostgreSQL relations (tables, views, ...) and what hangs off them.

Columns, constraints, indexes, triggers and policies are each described under their relation.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Connection

from migsafe.engine.fingerprint._common import Description, _Scope
from migsafe.engine.fingerprint.postgres_session import _PG_NS, _pg_not_extension, _pg_rows


def _char(value: str | None) -> str | None:
    """PostgreSQL ``"char"`` flags are '' when unset; None reads better in a diff."""
    return value or None


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


_Owner = Callable[[str, str], Description | None]


def _pg_attach_to_relations(conn: Connection, scope: _Scope, relations: Description) -> None:
    """Columns, constraints, indexes, triggers and policies, each under its relation."""

    def owner(schema: str, name: str) -> Description | None:
        return relations.get(f"{schema}.{name}") if scope.relation(schema, name) else None

    _pg_columns(conn, owner)
    _pg_constraints(conn, owner)
    _pg_indexes(conn, owner)
    _pg_triggers(conn, owner)
    _pg_policies(conn, owner)


def _pg_columns(conn: Connection, owner: _Owner) -> None:
    """Each relation's columns, in attnum order."""
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


def _pg_constraints(conn: Connection, owner: _Owner) -> None:
    """Each relation's constraints."""
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


def _pg_indexes(conn: Connection, owner: _Owner) -> None:
    """Each relation's indexes."""
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


def _pg_triggers(conn: Connection, owner: _Owner) -> None:
    """Each relation's triggers (not the internal ones)."""
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


def _pg_policies(conn: Connection, owner: _Owner) -> None:
    """Each table's row-level security policies."""
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
