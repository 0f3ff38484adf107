"""Statement shapes that several rules recognise.

The batch "move and copy" of ``op.batch_alter_table(..., recreate="always")`` is one rewrite of
a table that PostgreSQL sees as four statements::

    CREATE TABLE _alembic_tmp_<name> (...)
    INSERT INTO _alembic_tmp_<name> (...) SELECT ... FROM <name>
    DROP TABLE <name>
    ALTER TABLE _alembic_tmp_<name> RENAME TO <name>

table-rewrite-command reports it once, as the rewrite of ``<name>``; rules about dropping or
renaming tables skip the ``DROP TABLE`` / ``RENAME`` that belong to it (:func:`recreated_table`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pglast import ast, enums

from migsafe.lint.context import Context, key
from migsafe.lint.model import Statement
from migsafe.lint.sqltext import qualified, strings

TMP_PREFIX = "_alembic_tmp_"

# Dict-free lookups of pglast enums, which mypy sees as plain ints.
AT = enums.AlterTableType
CONSTR = enums.ConstrType


def alter_commands(node: Any) -> Iterator[tuple[str, ast.AlterTableCmd]]:
    """``(table, subcommand)`` of an ``ALTER TABLE`` (not ALTER INDEX / VIEW / ...)."""
    if not isinstance(node, ast.AlterTableStmt):
        return
    if node.objtype != enums.ObjectType.OBJECT_TABLE:
        return
    table = qualified(node.relation)
    if table is None:
        return
    for cmd in node.cmds or ():
        if isinstance(cmd, ast.AlterTableCmd):
            yield table, cmd


def constraints(column: ast.ColumnDef) -> list[ast.Constraint]:
    """The constraints written inline on a column definition (DEFAULT, NOT NULL, ...)."""
    return [c for c in column.constraints or () if isinstance(c, ast.Constraint)]


def added_constraint(cmd: ast.AlterTableCmd, contype: int) -> ast.Constraint | None:
    """The constraint of an ``ADD CONSTRAINT`` subcommand, if it is of ``contype``."""
    if cmd.subtype != AT.AT_AddConstraint or not isinstance(cmd.def_, ast.Constraint):
        return None
    return cmd.def_ if cmd.def_.contype == contype else None


def added_column(cmd: ast.AlterTableCmd) -> ast.ColumnDef | None:
    if cmd.subtype == AT.AT_AddColumn and isinstance(cmd.def_, ast.ColumnDef):
        return cmd.def_
    return None


@dataclass(frozen=True)
class BatchRecreate:
    """The four statements of one batch recreate, as indexes into ``Context.statements``."""

    table: str  # the table rewritten, as named in the statements
    create: int
    drop: int
    rename: int


def _tmp_created(node: Any) -> str | None:
    """``<name>`` of ``CREATE TABLE _alembic_tmp_<name>``."""
    if isinstance(node, ast.CreateStmt):
        name = qualified(node.relation)
        if name and key(name).startswith(TMP_PREFIX):
            return key(name).removeprefix(TMP_PREFIX)
    return None


def _dropped_tables(node: Any) -> list[str]:
    if isinstance(node, ast.DropStmt) and node.removeType == enums.ObjectType.OBJECT_TABLE:
        return [key(".".join(strings(obj))) for obj in node.objects or ()]
    return []


def _renamed(node: Any) -> tuple[str, str] | None:
    if (
        isinstance(node, ast.RenameStmt)
        and node.renameType == enums.ObjectType.OBJECT_TABLE
        and node.newname
    ):
        old = qualified(node.relation)
        if old:
            return key(old), key(node.newname)
    return None


def _complete(statements: list[Statement], create: int) -> BatchRecreate | None:
    """The recreate that starts at ``statements[create]``, if its drop and rename follow."""
    first = statements[create]
    name = _tmp_created(first.node)
    if name is None:
        return None
    drop = None
    for index in range(create + 1, len(statements)):
        stmt = statements[index]
        if stmt.revision != first.revision:
            break
        if drop is None and name in _dropped_tables(stmt.node):
            drop = index
        elif drop is not None and _renamed(stmt.node) == (TMP_PREFIX + name, name):
            return BatchRecreate(table=name, create=create, drop=drop, rename=index)
    return None


def batch_recreate(ctx: Context, position: int | None = None) -> BatchRecreate | None:
    """The batch recreate that the statement at ``position`` (default: the current one) is
    part of: its ``CREATE TABLE _alembic_tmp_<name>``, ``INSERT``, ``DROP TABLE <name>`` or
    ``RENAME``; None for any other statement."""
    statements = ctx.statements
    position = ctx.position if position is None else position
    if not 0 <= position < len(statements):
        return None
    here = statements[position]
    if _tmp_created(here.node) is not None:
        return _complete(statements, position)
    names = _dropped_tables(here.node)
    renamed = _renamed(here.node)
    if renamed is not None:
        names.append(renamed[1])
    if isinstance(here.node, ast.InsertStmt):
        target = qualified(here.node.relation)
        if target and key(target).startswith(TMP_PREFIX):
            names.append(key(target).removeprefix(TMP_PREFIX))
    if not names:
        return None
    # Walk back to the CREATE TABLE _alembic_tmp_<name> of this revision.
    for index in range(position - 1, -1, -1):
        stmt = statements[index]
        if stmt.revision != here.revision:
            break
        if _tmp_created(stmt.node) in names:
            found = _complete(statements, index)
            if found is not None and found.create <= position <= found.rename:
                return found
            return None
    return None


def recreated_table(stmt: Statement, ctx: Context) -> str | None:
    """``<name>`` when ``stmt`` (the current statement) belongs to a batch recreate of it.

    drop-table and rename-table call this and stay silent when it returns a name:
    table-rewrite-command has reported the recreate once, as a rewrite.
    """
    if ctx.position < len(ctx.statements) and ctx.statements[ctx.position] is not stmt:
        return None
    found = batch_recreate(ctx)
    return found.table if found is not None else None


def index_constraints(
    stmt: Statement, ctx: Context, contype: int
) -> Iterator[tuple[str, str | None, str]]:
    """``(table, constraint name, how)`` of each UNIQUE / PRIMARY KEY that builds its index
    while the ALTER holds ACCESS EXCLUSIVE: ``ADD CONSTRAINT`` without ``USING INDEX`` or an
    inline one on ``ADD COLUMN``, on a table not created earlier in the run."""
    for table, cmd in alter_commands(stmt.node):
        if ctx.is_new_table(table):
            continue
        con = added_constraint(cmd, contype)
        if con is not None and not con.indexname:
            yield table, con.conname, "ADD CONSTRAINT"
        column = added_column(cmd)
        if column is not None and any(c.contype == contype for c in constraints(column)):
            yield table, None, f"ADD COLUMN {column.colname}"


def _outside_transaction(stmt: Statement) -> bool:
    """Run outside the guard's transaction: in autocommit_block(), or a statement that
    PostgreSQL refuses in a transaction block (migsafe runs its step on its own)."""
    node = stmt.node
    if stmt.autocommit or isinstance(node, ast.VacuumStmt):
        return True
    if isinstance(node, ast.IndexStmt | ast.DropStmt):
        return bool(node.concurrent)
    if isinstance(node, ast.ReindexStmt):
        return any(
            isinstance(p, ast.DefElem) and p.defname == "concurrently" for p in node.params or ()
        )
    return False


def same_transaction(ctx: Context, first: int, second: int) -> bool:
    """Whether statements ``first`` and ``second`` (first < second) run in one transaction.

    migsafe's guard runs consecutive transactional revisions in ONE transaction; a revision
    with an ``autocommit_block()`` (or a statement that cannot run in a transaction) runs on
    its own, and its block commits what came before it. Locks are held to the transaction's
    end, so a lock taken by ``first`` is still held while ``second`` runs.
    """
    statements = ctx.statements
    span = statements[first : second + 1]
    if any(_outside_transaction(s) for s in span):
        return False
    if statements[first].revision == statements[second].revision:
        return True
    revisions = {s.revision for s in span}
    return not any(_outside_transaction(s) for s in statements if s.revision in revisions)


def not_valid_origin(ctx: Context, table: str, name: str, contype: int) -> int | None:
    """Index of the ``ADD CONSTRAINT <name> ... NOT VALID`` (of ``contype``) on ``table`` that a
    ``VALIDATE CONSTRAINT <name>`` at the current position validates, if it is in this run."""
    for index in range(ctx.position - 1, -1, -1):
        for other, cmd in alter_commands(ctx.statements[index].node):
            con = added_constraint(cmd, contype)
            if (
                con is not None
                and con.skip_validation
                and key(other) == key(table)
                and (con.conname or "").lower() == name.lower()
            ):
                return index
    return None


def validated_in_same_transaction(
    stmt: Statement, ctx: Context, contype: int
) -> Iterator[tuple[str, str]]:
    """``(table, constraint)`` of each ``VALIDATE CONSTRAINT`` in ``stmt`` whose ``ADD ... NOT
    VALID`` (of ``contype``) ran earlier in the same transaction: the validation scan then runs
    under the lock the ADD took, which NOT VALID was meant to keep short."""
    for table, cmd in alter_commands(stmt.node):
        if cmd.subtype != AT.AT_ValidateConstraint or not cmd.name:
            continue
        origin = not_valid_origin(ctx, table, cmd.name, contype)
        if origin is not None and same_transaction(ctx, origin, ctx.position):
            yield table, cmd.name


def added_earlier(ctx: Context, table: str, column: str) -> ast.ColumnDef | None:
    """The definition of ``table.column`` if an ``ADD COLUMN`` earlier in the run added it.

    A column added to an existing table is new, but its table is not: rewriting or scanning
    for it still reads every row of the table.
    """
    for index in range(ctx.position - 1, -1, -1):
        for other, cmd in alter_commands(ctx.statements[index].node):
            definition = added_column(cmd)
            if (
                definition is not None
                and key(other) == key(table)
                and (definition.colname or "").lower() == column.lower()
            ):
                return definition
    return None
