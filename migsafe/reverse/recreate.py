"""Operations that re-create indexes and constraints exactly, from their catalog definitions."""

from __future__ import annotations

from alembic.operations.ops import MigrateOperation
from psycopg import sql

from migsafe.reverse._sql import ident, statement
from migsafe.reverse.reflect_objects import ConstraintDef, IndexDef


def index_ops(index: IndexDef, schema: str) -> list[MigrateOperation]:
    """``CREATE INDEX`` as ``pg_get_indexdef`` printed it, its comment, and CLUSTER ON."""
    out: list[MigrateOperation] = [statement("{}", index.definition)]
    if index.comment is not None:
        target = ident(schema, index.name)
        out.append(statement("COMMENT ON INDEX {} IS {}", target, sql.Literal(index.comment)))
    if index.clustered:
        out.append(
            statement("ALTER TABLE {} CLUSTER ON {}", index.table_sql, sql.Identifier(index.name))
        )
    return out


def constraint_ops(con: ConstraintDef, schema: str, table: str) -> list[MigrateOperation]:
    """``ADD CONSTRAINT`` with ``pg_get_constraintdef``'s text, and the comments it had."""
    target = ident(schema, table)
    name = sql.Identifier(con.name)
    out: list[MigrateOperation] = [
        statement("ALTER TABLE {} ADD CONSTRAINT {} {}", target, name, con.definition)
    ]
    if con.comment is not None:
        out.append(
            statement(
                "COMMENT ON CONSTRAINT {} ON {} IS {}", name, target, sql.Literal(con.comment)
            )
        )
    if con.index_comment is not None:
        # A key's index is named after the constraint.
        out.append(
            statement(
                "COMMENT ON INDEX {} IS {}", ident(schema, con.name), sql.Literal(con.index_comment)
            )
        )
    return out
