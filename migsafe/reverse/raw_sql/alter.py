"""Raw ALTER TABLE, RENAME and COMMENT statements, undone through the matching operations."""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa
from alembic.operations import ops
from pglast import ast
from pglast.enums import AlterTableType, ConstrType, DropBehavior, ObjectType
from psycopg import sql

from migsafe.reverse._pgnodes import Unreadable, deparse, kind_name, names, need, rel, strings
from migsafe.reverse._sql import VerbatimType, ident, statement
from migsafe.reverse.alter_column import reverse_alter_column
from migsafe.reverse.columns import reverse_add_column, reverse_drop_column
from migsafe.reverse.constraints import reverse_drop_constraint, undo_add_constraint
from migsafe.reverse.model import Reverse
from migsafe.reverse.raw_sql.policy import ROW_SECURITY, reverse_row_security
from migsafe.reverse.reflect import Live, relation
from migsafe.reverse.tables import reverse_rename_table, reverse_table_comment

_N = TypeVar("_N")


def _node(value: Any, kind: type[_N]) -> _N:
    """*value* as a node of *kind*, or the statement is unreadable."""
    if not isinstance(value, kind):
        raise Unreadable
    return value


def _alter_table(node: ast.AlterTableStmt, live: Live) -> Reverse:
    if node.objtype != ObjectType.OBJECT_TABLE:
        return Reverse.refused(f"ALTER {kind_name(node.objtype, 'OBJECT_')} is not mirrored")
    schema, table = rel(node.relation)
    if node.missing_ok and relation(live.conn, table, schema) is None:
        return Reverse.nothing()
    return Reverse.combine(_alter_cmd(cmd, schema, table, live) for cmd in node.cmds or ())


def _alter_cmd(cmd: ast.AlterTableCmd, schema: str | None, table: str, live: Live) -> Reverse:
    kind = cmd.subtype
    if cmd.behavior == DropBehavior.DROP_CASCADE:
        return Reverse.refused("CASCADE drops objects the reverse cannot see")

    def alter(**kw: Any) -> Reverse:
        op = ops.AlterColumnOp(table, need(cmd.name), schema=schema, **kw)
        return reverse_alter_column(op, live)

    if kind == AlterTableType.AT_AddColumn:
        coldef = _node(cmd.def_, ast.ColumnDef)
        column = sa.Column(need(coldef.colname), sa.types.NullType())
        add = ops.AddColumnOp(table, column, schema=schema, if_not_exists=cmd.missing_ok)
        return reverse_add_column(add, live)
    if kind == AlterTableType.AT_DropColumn:
        drop = ops.DropColumnOp(table, need(cmd.name), schema=schema, if_exists=cmd.missing_ok)
        return reverse_drop_column(drop, live)
    if kind == AlterTableType.AT_ColumnDefault:
        new: Any = None if cmd.def_ is None else sa.literal_column(deparse(cmd.def_))
        return alter(modify_server_default=new)
    if kind in (AlterTableType.AT_SetNotNull, AlterTableType.AT_DropNotNull):
        return alter(modify_nullable=kind == AlterTableType.AT_DropNotNull)
    if kind == AlterTableType.AT_AlterColumnType:
        coldef = _node(cmd.def_, ast.ColumnDef)
        using = coldef.raw_default
        return alter(
            modify_type=VerbatimType(deparse(need(coldef.typeName))),
            postgresql_using=None if using is None else deparse(using),
        )
    if kind == AlterTableType.AT_AddConstraint:
        con = _node(cmd.def_, ast.Constraint)
        is_pk = con.contype == ConstrType.CONSTR_PRIMARY
        keys = strings(con.keys)
        added = undo_add_constraint(live, table, schema, con.conname, is_pk, keys)
        # Its reverse is only known once it ran (no name) or it will fail: as for a drop.
        if added.finish:
            why = f"{con.conname} would fail" if con.conname else "without a name"
            return Reverse.refused(f"ADD CONSTRAINT {why}")
        return added
    if kind == AlterTableType.AT_DropConstraint:
        name = need(cmd.name)
        drop_con = ops.DropConstraintOp(name, table, schema=schema, if_exists=cmd.missing_ok)
        dropped = reverse_drop_constraint(drop_con, live)
        # One statement is one reverse: a sub-command that will fail is refused as it is.
        return Reverse.refused(f"constraint {name} does not exist") if dropped.finish else dropped
    if kind in ROW_SECURITY:
        return reverse_row_security(live, schema, table, AlterTableType(kind))
    return Reverse.refused(f"ALTER TABLE {kind_name(kind, 'AT_')} is not mirrored")


def _rename(node: ast.RenameStmt, live: Live) -> Reverse:
    kind, new = node.renameType, need(node.newname)
    if kind == ObjectType.OBJECT_TABLE:
        schema, name = rel(node.relation)
        return reverse_rename_table(ops.RenameTableOp(name, new, schema=schema), live)
    if kind == ObjectType.OBJECT_COLUMN and node.relationType == ObjectType.OBJECT_TABLE:
        schema, name = rel(node.relation)
        op = ops.AlterColumnOp(name, need(node.subname), schema=schema, modify_name=new)
        return reverse_alter_column(op, live)
    if kind in (ObjectType.OBJECT_INDEX, ObjectType.OBJECT_TABCONSTRAINT):
        schema, name = rel(node.relation)
        found = relation(live.conn, name, schema)
        if found is None:
            return Reverse.refused(f"{name} does not exist: the rename would fail")
        if kind == ObjectType.OBJECT_INDEX:
            back = statement(
                "ALTER INDEX {} RENAME TO {}",
                ident(found.schema, new),
                sql.Identifier(found.name),
            )
        else:
            back = statement(
                "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
                ident(found.schema, found.name),
                sql.Identifier(new),
                sql.Identifier(need(node.subname)),
            )
        return Reverse(ops=(back,))
    return Reverse.refused(f"renaming a {kind_name(kind, 'OBJECT_')} is not mirrored")


def _comment(node: ast.CommentStmt, live: Live) -> Reverse:
    parts = strings(node.object if isinstance(node.object, tuple) else None)
    if node.objtype == ObjectType.OBJECT_TABLE and parts:
        schema, name = names(node.object if isinstance(node.object, tuple) else None)
        op = ops.CreateTableCommentOp(name, node.comment, schema=schema)
        return reverse_table_comment(op, live)
    if node.objtype == ObjectType.OBJECT_COLUMN and len(parts) >= 2:
        *table_parts, col = parts
        schema = table_parts[-2] if len(table_parts) > 1 else None
        alter = ops.AlterColumnOp(table_parts[-1], col, schema=schema, modify_comment=node.comment)
        return reverse_alter_column(alter, live)
    return Reverse.refused(f"COMMENT ON {kind_name(node.objtype, 'OBJECT_')} is not mirrored")


ALTER_MIRRORS: dict[type, Any] = {
    ast.AlterTableStmt: _alter_table,
    ast.RenameStmt: _rename,
    ast.CommentStmt: _comment,
}
