"""Raw DROP statements: tables are archived, indexes rebuilt, enum types re-created."""

from __future__ import annotations

from typing import Any

from alembic.operations import ops
from pglast import ast
from pglast.enums import DropBehavior, ObjectType
from psycopg import sql

from migsafe.reverse._pgnodes import kind_name, names, need, strings
from migsafe.reverse._sql import ident, statement
from migsafe.reverse.indexes import reverse_drop_index
from migsafe.reverse.model import Reverse
from migsafe.reverse.raw_sql.policy import reverse_drop_policy
from migsafe.reverse.reflect import Live
from migsafe.reverse.reflect_objects import user_type
from migsafe.reverse.tables import reverse_drop_table


def _drop(node: ast.DropStmt, live: Live) -> Reverse:
    if node.behavior == DropBehavior.DROP_CASCADE:
        return Reverse.refused("CASCADE drops objects the reverse cannot see")
    kind, objects = node.removeType, node.objects or ()
    if kind == ObjectType.OBJECT_TABLE:
        drops = [
            ops.DropTableOp(name, schema=schema, if_exists=node.missing_ok)
            for schema, name in (names(o) for o in objects)
        ]
        if len(drops) == 1:
            return reverse_drop_table(drops[0], live)
        # Each table is archived on its own: the statement becomes one drop per table.
        return Reverse(replace_with=tuple(drops))
    if kind == ObjectType.OBJECT_INDEX:
        parts = []
        for schema, name in (names(o) for o in objects):
            drop = ops.DropIndexOp(name, schema=schema, if_exists=node.missing_ok)
            parts.append(reverse_drop_index(drop, live))
        return Reverse.combine(parts)
    if kind == ObjectType.OBJECT_TYPE:
        return Reverse.combine(_drop_type(t, node.missing_ok, live) for t in objects)
    if kind == ObjectType.OBJECT_POLICY:
        return Reverse.combine(
            reverse_drop_policy(strings(o), bool(node.missing_ok), live) for o in objects
        )
    return Reverse.refused(f"DROP {kind_name(kind, 'OBJECT_')} is not mirrored")


def _drop_type(type_name: Any, missing_ok: bool | None, live: Live) -> Reverse:
    given, name = names(need(type_name).names)
    qualified = (sql.Identifier(name) if given is None else ident(given, name)).as_string(None)
    found = user_type(live.conn, qualified)
    if found is None:
        return Reverse.nothing() if missing_ok else Reverse.refused(f"type {name} does not exist")
    if found.kind != "e":
        return Reverse.refused(f"dropping type {found.schema}.{found.name} (not an enum)")
    labels = sql.SQL(", ").join(sql.Literal(label) for label in found.labels)
    target = ident(found.schema, found.name)
    out: list[ops.MigrateOperation] = [statement("CREATE TYPE {} AS ENUM ({})", target, labels)]
    if found.comment is not None:
        out.append(statement("COMMENT ON TYPE {} IS {}", target, sql.Literal(found.comment)))
    return Reverse(ops=tuple(out))


DROP_MIRRORS: dict[type, Any] = {ast.DropStmt: _drop}
