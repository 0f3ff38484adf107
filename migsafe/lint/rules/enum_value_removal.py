"""enum-value-removal: removing a value from an enum type (PostgreSQL has no ``DROP VALUE``).

Why: the ways around it all convert every row: ``DELETE FROM pg_enum`` leaves rows holding a
label that no longer exists (reads of them fail, indexes on the column may be corrupt); the
rename-recreate dance (``ALTER TYPE x RENAME TO x_old``, ``CREATE TYPE x AS ENUM (...)``,
``ALTER COLUMN ... TYPE x USING ...::text::x``, ``DROP TYPE x_old``) fails on the first row that
holds a removed value, and the running release may still write it. (The column type change
also rewrites the table under ACCESS EXCLUSIVE: that is ``column-type-rewrite``'s finding.)

Instead: first stop writing the value (release), then move the rows off it in batches, and
only then rebuild the type; or keep the value and stop using it.

Detects: ``DELETE FROM pg_enum``; renaming an existing type away and creating an enum under its
name later in the run; creating a new enum and renaming it over a type the run dropped;
``op.alter_column(type_=sa.Enum(...), existing_type=sa.Enum(...))`` with fewer values.

Not flagged: a type created earlier in the same run (no row the application wrote holds it);
``RENAME VALUE``; an ``alter_column`` whose new enum keeps every old value.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pglast import ast, enums

from migsafe.lint.context import Context, key
from migsafe.lint.model import Hit, Rule, Severity, Statement
from migsafe.lint.sqltext import qualified, strings


def check(stmt: Statement, ctx: Context) -> Iterator[Hit]:
    node = stmt.node
    if isinstance(node, ast.DeleteStmt) and _is_pg_enum(node.relation):
        yield Hit(
            "DELETE FROM pg_enum removes enum labels behind PostgreSQL's back: rows holding "
            "them become unreadable and indexes on them may break",
            stmt.line,
        )
    elif isinstance(node, ast.RenameStmt) and node.renameType == enums.ObjectType.OBJECT_TYPE:
        yield from _renamed(stmt, node, ctx)
    elif isinstance(node, ast.AlterTableStmt):
        yield from _narrowed(stmt, node)


def _is_pg_enum(rv: ast.RangeVar | None) -> bool:
    name = qualified(rv)
    return name is not None and name.lower() in ("pg_enum", "pg_catalog.pg_enum")


def _type_name(parts: Any) -> str:
    return ".".join(strings(parts)) if isinstance(parts, tuple) else str(parts or "")


def _renamed(stmt: Statement, node: ast.RenameStmt, ctx: Context) -> Iterator[Hit]:
    old, new = _type_name(node.object), node.newname or ""
    if not old or not new:
        return
    if key(old) not in ctx.created_types:
        # ALTER TYPE x RENAME TO x_old, then CREATE TYPE x AS ENUM (...): the old labels go.
        if any(_creates_enum(later, old) for later in ctx.following()):
            yield Hit(
                f"enum {old} renamed to {new} and re-created: rows holding a value the new "
                f"{old} lacks make the column conversion fail",
                stmt.line,
            )
    elif _dropped_earlier(new, ctx):
        # CREATE TYPE x_new ..., ALTER COLUMN ... TYPE x_new, DROP TYPE x, RENAME x_new TO x.
        yield Hit(
            f"enum {new} replaced by {old} (renamed over it): rows holding a value {old} lacks "
            "make the column conversion fail",
            stmt.line,
        )


def _creates_enum(stmt: Statement, name: str) -> bool:
    node = stmt.node
    return isinstance(node, ast.CreateEnumStmt) and key(_type_name(node.typeName)) == key(name)


def _dropped_earlier(name: str, ctx: Context) -> bool:
    if key(name) in ctx.created_types:
        return False
    for earlier in ctx.statements[: ctx.position]:
        node = earlier.node
        if isinstance(node, ast.DropStmt) and node.removeType == enums.ObjectType.OBJECT_TYPE:
            for obj in node.objects or ():
                type_name = obj.names if isinstance(obj, ast.TypeName) else obj
                if key(_type_name(type_name)) == key(name):
                    return True
    return False


def _narrowed(stmt: Statement, node: ast.AlterTableStmt) -> Iterator[Hit]:
    """``alter_column(type_=sa.Enum(a, b), existing_type=sa.Enum(a, b, c))``."""
    operation = stmt.op_object
    old = _labels(getattr(operation, "existing_type", None))
    new = _labels(getattr(operation, "modify_type", None))
    if old is None or new is None:
        return
    type_change = enums.AlterTableType.AT_AlterColumnType
    if not any(
        isinstance(cmd, ast.AlterTableCmd) and cmd.subtype == type_change for cmd in node.cmds or ()
    ):
        return
    removed = [label for label in old if label not in new]
    if not removed:
        return
    table = qualified(node.relation) or ""
    column = f"{table}.{getattr(operation, 'column_name', '')}"
    values = ", ".join(repr(r) for r in removed)
    old_name = getattr(operation.existing_type, "name", None)
    new_name = getattr(operation.modify_type, "name", None)
    if old_name and old_name == new_name:
        message = (
            f"alter_column {column} drops {values} from enum {new_name}: Alembic does not "
            "change the type (the values stay), and rows holding them would fail a rebuild"
        )
    else:
        message = (
            f"alter_column {column} converts to enum {new_name or ''} without {values}: "
            "rows holding them make the conversion fail"
        )
    yield Hit(message, stmt.line, table=table)


def _labels(type_: Any) -> list[str] | None:
    labels = getattr(type_, "enums", None)
    if not isinstance(labels, list) or getattr(type_, "native_enum", True) is False:
        return None
    return [str(label) for label in labels]


RULE = Rule(
    id="enum-value-removal",
    severity=Severity.ERROR,
    summary="removing a value from an enum type (DELETE FROM pg_enum, rename-recreate)",
    why="PostgreSQL has no DROP VALUE: rows holding a removed value make the conversion fail",
    fix=(
        "stop writing the value first (a release), move the rows off it in batches, then\n"
        "rebuild the type in a later migration (or keep the value and stop using it):\n"
        "    op.execute(\"UPDATE orders SET state = 'closed' WHERE state = 'stale'\")  # batched\n"
        "    # next release: rename, create, ALTER COLUMN ... TYPE ... USING state::text::t"
    ),
    on_statement=check,
    size_matters=False,
)
