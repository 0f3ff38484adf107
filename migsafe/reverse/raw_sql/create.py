"""Raw CREATE statements, undone by dropping what they create (when it did not exist)."""

from __future__ import annotations

from typing import Any

from alembic.operations import ops
from pglast import ast
from pglast.enums import ObjectType
from psycopg import sql

from migsafe.reverse._pgnodes import names, need, rel
from migsafe.reverse._sql import ident, statement
from migsafe.reverse.indexes import reverse_create_index
from migsafe.reverse.model import Reverse
from migsafe.reverse.reflect import Live, creation_schema, relation, scalar
from migsafe.reverse.reflect_objects import user_type
from migsafe.reverse.tables import reverse_create_table


def _create_index(node: ast.IndexStmt, live: Live) -> Reverse:
    schema, table = rel(node.relation)
    op = ops.CreateIndexOp(
        node.idxname,
        table,
        [],
        schema=schema,
        if_not_exists=node.if_not_exists,
        postgresql_concurrently=node.concurrent,
    )
    return reverse_create_index(op, live)


def _create_table(node: ast.CreateStmt | ast.CreateTableAsStmt, live: Live) -> Reverse:
    if isinstance(node, ast.CreateTableAsStmt):
        rv = need(node.into).rel
        if node.objtype != ObjectType.OBJECT_TABLE:
            return _create_relation("MATERIALIZED VIEW", rv, live, node.if_not_exists)
    else:
        rv = node.relation
    schema, name = rel(rv)
    op = ops.CreateTableOp(name, [], schema=schema, if_not_exists=node.if_not_exists)
    return reverse_create_table(op, live)


def _create_view(node: ast.ViewStmt, live: Live) -> Reverse:
    schema, name = rel(node.view)
    if node.replace and relation(live.conn, name, schema) is not None:
        return Reverse.refused("replacing an existing view is not mirrored")
    return _create_relation("VIEW", node.view, live, False)


def _create_sequence(node: ast.CreateSeqStmt, live: Live) -> Reverse:
    return _create_relation("SEQUENCE", node.sequence, live, node.if_not_exists)


def _create_relation(
    kind: str, rv: ast.RangeVar | None, live: Live, if_not_exists: bool | None
) -> Reverse:
    given, name = rel(rv)
    schema = creation_schema(live.conn, given)
    if schema is None:
        return Reverse.refused("no schema to create it in (empty search_path)")
    if relation(live.conn, name, schema) is not None:
        if if_not_exists:
            return Reverse.nothing()
        return Reverse.refused(f"{schema}.{name} exists: the CREATE would fail")
    return Reverse(ops=(statement(f"DROP {kind} {{}}", ident(schema, name)),))


def _create_type(node: ast.CreateEnumStmt | ast.CompositeTypeStmt, live: Live) -> Reverse:
    if isinstance(node, ast.CompositeTypeStmt):
        given, name = rel(node.typevar)
    else:
        given, name = names(node.typeName)
    schema = creation_schema(live.conn, given)
    if schema is None:
        return Reverse.refused("no schema to create the type in (empty search_path)")
    if user_type(live.conn, ident(schema, name).as_string(None)) is not None:
        return Reverse.refused(f"type {schema}.{name} exists: CREATE TYPE would fail")
    return Reverse(ops=(statement("DROP TYPE {}", ident(schema, name)),))


def _create_schema(node: ast.CreateSchemaStmt, live: Live) -> Reverse:
    name = need(node.schemaname)
    if node.schemaElts:
        return Reverse.refused("CREATE SCHEMA with elements is not mirrored")
    exists = scalar(
        live.conn, "SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = :n", n=name
    )
    if exists:
        if node.if_not_exists:
            return Reverse.nothing()
        return Reverse.refused(f"schema {name} exists: CREATE SCHEMA would fail")
    return Reverse(ops=(statement("DROP SCHEMA {}", sql.Identifier(name)),))


CREATE_MIRRORS: dict[type, Any] = {
    ast.IndexStmt: _create_index,
    ast.CreateStmt: _create_table,
    ast.CreateTableAsStmt: _create_table,
    ast.ViewStmt: _create_view,
    ast.CreateSeqStmt: _create_sequence,
    ast.CreateEnumStmt: _create_type,
    ast.CompositeTypeStmt: _create_type,
    ast.CreateSchemaStmt: _create_schema,
}
