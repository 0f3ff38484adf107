"""What the rules know besides the statement in front of them.

The run walks every statement of every revision in order and notes what it creates, so that a
rule can tell an existing table (whose rewrite locks out the application) from one created
earlier in the same run (empty, and invisible to the running release). When a database is
reachable, :class:`Live` adds table sizes, column types and function volatility from its
catalog, and the server version.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from migsafe.lint.model import Statement


def key(name: str) -> str:
    """A table or type name as the run compares it: unqualified, lower case.

    Offline there is no search_path to resolve ``orders`` against ``public.orders``, so names
    are compared without their schema.
    """
    return name.rsplit(".", 1)[-1].strip('"').lower()


@dataclass(frozen=True)
class TableStats:
    rows: int  # pg_class.reltuples (an estimate; -1: never analysed)
    bytes: int  # pg_total_relation_size


class Live(Protocol):
    """The target database's catalog, as far as rules need it."""

    server_version: int

    def table(self, name: str) -> TableStats | None: ...

    def column_type(self, table: str, column: str) -> str | None: ...

    def volatility(self, function: str) -> str | None: ...

    def has_not_null_check(self, table: str, column: str) -> bool: ...


@dataclass
class Context:
    """Mutable state of one lint run; rules read it, the run updates it."""

    statements: list[Statement] = field(default_factory=list)  # the whole run, in order
    position: int = 0  # index of the statement being checked
    live: Live | None = None
    assumed_version: int = 140000  # server_version_num assumed offline
    lock_timeout: float = 5.0  # the guard's, seconds
    statement_timeout: float | None = None
    created_tables: set[str] = field(default_factory=set)
    created_columns: set[tuple[str, str]] = field(default_factory=set)
    created_types: set[str] = field(default_factory=set)
    created_sequences: set[str] = field(default_factory=set)
    created_indexes: set[str] = field(default_factory=set)
    # enum values added in this run: type -> values (a value added in a transaction cannot be
    # used before it commits)
    added_enum_values: dict[str, set[str]] = field(default_factory=dict)
    # (table, column) with a validated CHECK (column IS NOT NULL) added in this run
    not_null_checks: set[tuple[str, str]] = field(default_factory=set)
    pending_checks: dict[str, tuple[str, str]] = field(default_factory=dict)  # NOT VALID ones

    @property
    def server_version(self) -> int:
        return self.live.server_version if self.live is not None else self.assumed_version

    def is_new_table(self, name: str | None) -> bool:
        return name is not None and key(name) in self.created_tables

    def is_new_column(self, table: str | None, column: str | None) -> bool:
        if table is None or column is None:
            return False
        return self.is_new_table(table) or (key(table), column.lower()) in self.created_columns

    def following(self) -> Iterator[Statement]:
        """The statements after the current one, to the end of the run."""
        yield from self.statements[self.position + 1 :]

    def stats(self, name: str | None) -> TableStats | None:
        if name is None or self.live is None or self.is_new_table(name):
            return None
        return self.live.table(name)

    def column_type(self, table: str, column: str) -> str | None:
        return self.live.column_type(table, column) if self.live is not None else None

    def volatility(self, function: str) -> str | None:
        return self.live.volatility(function) if self.live is not None else None


def note(ctx: Context, stmt: Statement) -> None:
    """Remember what ``stmt`` creates, so that later statements know it is new."""
    from pglast import ast, enums

    from migsafe.lint.sqltext import qualified, strings

    node = stmt.node
    if isinstance(node, ast.CreateStmt):
        name = qualified(node.relation)
        if name:
            ctx.created_tables.add(key(name))
    elif isinstance(node, ast.CreateTableAsStmt) and node.into is not None:
        name = qualified(node.into.rel)
        if name:
            ctx.created_tables.add(key(name))
    elif isinstance(node, ast.AlterTableStmt):
        table = qualified(node.relation)
        for cmd in node.cmds or ():
            if not isinstance(cmd, ast.AlterTableCmd) or table is None:
                continue
            if cmd.subtype == enums.AlterTableType.AT_AddColumn and isinstance(
                cmd.def_, ast.ColumnDef
            ):
                ctx.created_columns.add((key(table), (cmd.def_.colname or "").lower()))
            elif cmd.subtype == enums.AlterTableType.AT_AddConstraint and isinstance(
                cmd.def_, ast.Constraint
            ):
                column = not_null_check_column(cmd.def_)
                if column is not None:
                    if cmd.def_.skip_validation:
                        ctx.pending_checks[(cmd.def_.conname or "").lower()] = (key(table), column)
                    else:
                        ctx.not_null_checks.add((key(table), column))
            elif cmd.subtype == enums.AlterTableType.AT_ValidateConstraint:
                pending = ctx.pending_checks.pop((cmd.name or "").lower(), None)
                if pending is not None:
                    ctx.not_null_checks.add(pending)
    elif isinstance(node, ast.RenameStmt):
        old = qualified(node.relation)
        if (
            node.renameType == enums.ObjectType.OBJECT_TABLE
            and old
            and node.newname
            and ctx.is_new_table(old)
            # batch_alter_table's copy renamed back: the table (and its rows) existed before
            and key(old) != "_alembic_tmp_" + key(node.newname)
        ):
            ctx.created_tables.add(key(node.newname))
        elif (
            node.renameType == enums.ObjectType.OBJECT_COLUMN
            and old
            and node.newname
            and ctx.is_new_column(old, node.subname)
        ):
            ctx.created_columns.add((key(old), node.newname.lower()))
    elif isinstance(node, ast.CreateEnumStmt):
        ctx.created_types.add(key(".".join(strings(node.typeName))))
    elif isinstance(node, ast.AlterEnumStmt) and node.newVal and not node.oldVal:
        type_name = key(".".join(strings(node.typeName)))
        ctx.added_enum_values.setdefault(type_name, set()).add(node.newVal)
    elif isinstance(node, ast.CreateSeqStmt):
        name = qualified(node.sequence)
        if name:
            ctx.created_sequences.add(key(name))
    elif isinstance(node, ast.IndexStmt) and node.idxname:
        ctx.created_indexes.add(key(node.idxname))


def not_null_check_column(constraint: object) -> str | None:
    """``c`` of ``CHECK (c IS NOT NULL)``, the form ``SET NOT NULL`` can rely on."""
    from pglast import ast, enums

    if not isinstance(constraint, ast.Constraint):
        return None
    if constraint.contype != enums.ConstrType.CONSTR_CHECK:
        return None
    test = constraint.raw_expr
    if (
        isinstance(test, ast.NullTest)
        and test.nulltesttype == enums.NullTestType.IS_NOT_NULL
        and isinstance(test.arg, ast.ColumnRef)
    ):
        fields = [f.sval for f in test.arg.fields or () if isinstance(f, ast.String) and f.sval]
        return fields[-1].lower() if fields else None
    return None
