"""The table locks PostgreSQL takes for each kind of statement, and which locks conflict.

From PostgreSQL's "Explicit Locking" chapter (table-level lock modes and their conflict table)
and the lock level each ALTER TABLE sub-command documents. Used to tell, before a deploy, which
sessions holding locks now would make the plan wait (:mod:`migsafe.check.health`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from typing import Any

from pglast import ast, enums

from migsafe.lint.context import key
from migsafe.lint.model import Statement
from migsafe.lint.sqltext import qualified


class LockMode(enum.IntEnum):
    """PostgreSQL's table lock modes, weakest first (as ``pg_locks.mode`` names them)."""

    ACCESS_SHARE = 1
    ROW_SHARE = 2
    ROW_EXCLUSIVE = 3
    SHARE_UPDATE_EXCLUSIVE = 4
    SHARE = 5
    SHARE_ROW_EXCLUSIVE = 6
    EXCLUSIVE = 7
    ACCESS_EXCLUSIVE = 8

    @property
    def pg_name(self) -> str:
        """``AccessExclusiveLock``, as pg_locks shows it."""
        return "".join(part.capitalize() for part in self.name.split("_")) + "Lock"

    @classmethod
    def from_pg(cls, name: str) -> LockMode | None:
        for mode in cls:
            if mode.pg_name == name:
                return mode
        return None


# Which modes each mode conflicts with (PostgreSQL docs, "Conflicting Lock Modes").
_CONFLICTS: dict[LockMode, frozenset[LockMode]] = {
    LockMode.ACCESS_SHARE: frozenset({LockMode.ACCESS_EXCLUSIVE}),
    LockMode.ROW_SHARE: frozenset({LockMode.EXCLUSIVE, LockMode.ACCESS_EXCLUSIVE}),
    LockMode.ROW_EXCLUSIVE: frozenset(
        {
            LockMode.SHARE,
            LockMode.SHARE_ROW_EXCLUSIVE,
            LockMode.EXCLUSIVE,
            LockMode.ACCESS_EXCLUSIVE,
        }
    ),
    LockMode.SHARE_UPDATE_EXCLUSIVE: frozenset(
        {
            LockMode.SHARE_UPDATE_EXCLUSIVE,
            LockMode.SHARE,
            LockMode.SHARE_ROW_EXCLUSIVE,
            LockMode.EXCLUSIVE,
            LockMode.ACCESS_EXCLUSIVE,
        }
    ),
    LockMode.SHARE: frozenset(
        {
            LockMode.ROW_EXCLUSIVE,
            LockMode.SHARE_UPDATE_EXCLUSIVE,
            LockMode.SHARE_ROW_EXCLUSIVE,
            LockMode.EXCLUSIVE,
            LockMode.ACCESS_EXCLUSIVE,
        }
    ),
    LockMode.SHARE_ROW_EXCLUSIVE: frozenset(
        set(LockMode) - {LockMode.ACCESS_SHARE, LockMode.ROW_SHARE}
    ),
    LockMode.EXCLUSIVE: frozenset(set(LockMode) - {LockMode.ACCESS_SHARE}),
    LockMode.ACCESS_EXCLUSIVE: frozenset(LockMode),
}


def conflicts(wanted: LockMode, held: LockMode) -> bool:
    """Whether a session holding ``held`` makes a request for ``wanted`` wait."""
    return held in _CONFLICTS[wanted]


_AT = enums.AlterTableType
# ALTER TABLE sub-commands documented to take less than ACCESS EXCLUSIVE.
_ALTER_LEVELS: dict[Any, LockMode] = {
    _AT.AT_ValidateConstraint: LockMode.SHARE_UPDATE_EXCLUSIVE,
    _AT.AT_SetStatistics: LockMode.SHARE_UPDATE_EXCLUSIVE,
    _AT.AT_ClusterOn: LockMode.SHARE_UPDATE_EXCLUSIVE,
    _AT.AT_DropCluster: LockMode.SHARE_UPDATE_EXCLUSIVE,
    _AT.AT_SetRelOptions: LockMode.SHARE_UPDATE_EXCLUSIVE,
    _AT.AT_ResetRelOptions: LockMode.SHARE_UPDATE_EXCLUSIVE,
    _AT.AT_EnableTrig: LockMode.SHARE_ROW_EXCLUSIVE,
    _AT.AT_DisableTrig: LockMode.SHARE_ROW_EXCLUSIVE,
    _AT.AT_EnableTrigAll: LockMode.SHARE_ROW_EXCLUSIVE,
    _AT.AT_DisableTrigAll: LockMode.SHARE_ROW_EXCLUSIVE,
    _AT.AT_EnableTrigUser: LockMode.SHARE_ROW_EXCLUSIVE,
    _AT.AT_DisableTrigUser: LockMode.SHARE_ROW_EXCLUSIVE,
}


def statement_locks(stmt: Statement) -> Iterator[tuple[str, LockMode]]:
    """``(table, mode)`` for each table lock ``stmt`` takes (the strongest per table)."""
    node = stmt.node
    if isinstance(node, ast.AlterTableStmt):
        yield from _alter_table(node)
    elif isinstance(node, ast.IndexStmt):
        mode = LockMode.SHARE_UPDATE_EXCLUSIVE if node.concurrent else LockMode.SHARE
        yield from _named(node.relation, mode)
    elif isinstance(node, (ast.UpdateStmt, ast.DeleteStmt, ast.InsertStmt)):
        yield from _named(node.relation, LockMode.ROW_EXCLUSIVE)
    elif isinstance(node, ast.TruncateStmt):
        for rv in node.relations or ():
            yield from _named(rv, LockMode.ACCESS_EXCLUSIVE)
    elif isinstance(node, ast.DropStmt) and node.removeType == enums.ObjectType.OBJECT_TABLE:
        for name in node.objects or ():
            parts = [p.sval for p in name if isinstance(p, ast.String) and p.sval]
            if parts:
                yield ".".join(parts), LockMode.ACCESS_EXCLUSIVE
    elif isinstance(node, ast.RenameStmt) and node.relation is not None:
        yield from _named(node.relation, LockMode.ACCESS_EXCLUSIVE)
    elif isinstance(node, ast.LockStmt):
        # LockStmt.mode is PostgreSQL's LOCKMODE number: 1 AccessShare ... 8 AccessExclusive.
        level = node.mode if isinstance(node.mode, int) and 1 <= node.mode <= 8 else 8
        for rv in node.relations or ():
            yield from _named(rv, LockMode(level))
    elif isinstance(node, ast.VacuumStmt):
        full = any(isinstance(o, ast.DefElem) and o.defname == "full" for o in node.options or ())
        mode = LockMode.ACCESS_EXCLUSIVE if full else LockMode.SHARE_UPDATE_EXCLUSIVE
        for rel in node.rels or ():
            yield from _named(getattr(rel, "relation", None), mode)
    elif isinstance(node, ast.ClusterStmt):
        yield from _named(node.relation, LockMode.ACCESS_EXCLUSIVE)


def _alter_table(node: ast.AlterTableStmt) -> Iterator[tuple[str, LockMode]]:
    strongest = LockMode.ACCESS_SHARE
    referenced: list[str] = []
    for cmd in node.cmds or ():
        if not isinstance(cmd, ast.AlterTableCmd):
            continue
        mode = _ALTER_LEVELS.get(cmd.subtype, LockMode.ACCESS_EXCLUSIVE)
        constraint = cmd.def_ if isinstance(cmd.def_, ast.Constraint) else None
        if (
            cmd.subtype == _AT.AT_AddConstraint
            and constraint is not None
            and constraint.contype == enums.ConstrType.CONSTR_FOREIGN
        ):
            # ADD FOREIGN KEY: SHARE ROW EXCLUSIVE on the table and the referenced one.
            mode = LockMode.SHARE_ROW_EXCLUSIVE
            target = qualified(constraint.pktable)
            if target:
                referenced.append(target)
        strongest = max(strongest, mode)
    yield from _named(node.relation, strongest)
    for table in referenced:
        yield table, LockMode.SHARE_ROW_EXCLUSIVE


def _named(rv: Any, mode: LockMode) -> Iterator[tuple[str, LockMode]]:
    name = qualified(rv) if isinstance(rv, ast.RangeVar) else None
    if name:
        yield name, mode


def needed_locks(statements: Iterable[Statement]) -> dict[str, LockMode]:
    """The strongest lock the statements take on each table, by name as the SQL spells it."""
    needed: dict[str, LockMode] = {}
    names: dict[str, str] = {}
    for stmt in statements:
        for table, mode in statement_locks(stmt):
            spelled = names.setdefault(key(table), table)
            needed[spelled] = max(needed.get(spelled, mode), mode)
    return needed
