"""The tables each kind of statement creates, writes or alters, beyond its DML."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pglast import ast
from pglast.enums import AlterTableType, GrantTargetType, ObjectType, VariableSetKind
from pglast.visitors import Ancestor, Skip, Visitor

from migsafe.snapshots.tables.chain import _Chain, _Opaque
from migsafe.snapshots.tables.names import _func_name, _strings


def _create(chain: _Chain, node: ast.CreateStmt) -> None:
    chain.create(chain.rv(node.relation))
    for parent in node.inhRelations or ():  # INHERITS (...) and PARTITION OF
        chain.touch(chain.rv(parent))


def _create_as(chain: _Chain, node: ast.CreateTableAsStmt) -> None:
    if node.objtype != ObjectType.OBJECT_TABLE:
        raise _Opaque(_not_a_table(node.objtype))
    chain.create(chain.rv(node.into.rel if node.into else None))


def _select(chain: _Chain, node: ast.SelectStmt) -> None:
    """A SELECT on its own runs for its side effects: the functions it calls must be known."""
    if node.intoClause is not None:
        chain.create(chain.rv(node.intoClause.rel))
        return
    calls = _SelectedCalls()
    calls((node.targetList or (), node.fromClause or (), node.whereClause or ()))
    for call in calls.found:
        if _func_name(call) not in _KNOWN_SELECTED:
            raise _Opaque(f"a SELECT of {_func_name(call)}(), which may write anywhere")


class _SelectedCalls(Visitor):
    """The calls a SELECT makes itself; their arguments and subqueries are only values."""

    def __init__(self) -> None:
        self.found: list[ast.FuncCall] = []

    def visit_FuncCall(self, _: Ancestor, node: ast.FuncCall) -> Any:
        self.found.append(node)
        return Skip

    def visit_SubLink(self, _: Ancestor, node: ast.SubLink) -> Any:
        return Skip

    def visit_SelectStmt(self, _: Ancestor, node: ast.SelectStmt) -> Any:
        return Skip


def _alter_table(chain: _Chain, node: ast.AlterTableStmt) -> None:
    missing_ok = bool(node.missing_ok)
    if node.objtype == ObjectType.OBJECT_INDEX:
        table = chain.belongs_to(chain.rv(node.relation), "index", missing_ok=missing_ok)
        if table is not None:
            chain.touch(table)
        return
    if node.objtype != ObjectType.OBJECT_TABLE:
        raise _Opaque(_not_a_table(node.objtype))
    chain.touch(chain.rv(node.relation), missing_ok=missing_ok)
    for cmd in node.cmds or ():
        partition = cmd.def_ if isinstance(cmd, ast.AlterTableCmd) else None
        if isinstance(partition, ast.PartitionCmd) and cmd.subtype in _PARTITION_CMDS:
            chain.touch(chain.rv(partition.name))


def _alter_sequence(chain: _Chain, node: ast.AlterSeqStmt) -> None:
    if any(isinstance(o, ast.DefElem) and o.defname == "owned_by" for o in node.options or ()):
        raise _Opaque("a sequence changing owner")
    table = chain.belongs_to(chain.rv(node.sequence), "sequence", missing_ok=bool(node.missing_ok))
    if table is not None:
        chain.touch(table)


def _index(chain: _Chain, node: ast.IndexStmt) -> None:
    table = chain.rv(node.relation)
    chain.touch(table)
    if node.idxname:
        chain.indexes[(table[0], node.idxname)] = table  # an index lives in its table's schema


def _drop(chain: _Chain, node: ast.DropStmt) -> None:
    kind, missing_ok = node.removeType, bool(node.missing_ok)
    for obj in node.objects or ():
        names = _strings(obj)
        if kind == ObjectType.OBJECT_TABLE:
            chain.touch(chain.qualify(names), missing_ok=missing_ok)
        elif kind == ObjectType.OBJECT_INDEX:
            table = chain.belongs_to(chain.qualify(names), "index", missing_ok=missing_ok)
            if table is not None:
                chain.touch(table)
        elif kind in _TABLE_PARTS:
            chain.touch(chain.qualify(names[:-1]), missing_ok=missing_ok)
        else:
            raise _Opaque(_not_a_table(kind))


def _rename(chain: _Chain, node: ast.RenameStmt) -> None:
    kind, missing_ok = node.renameType, bool(node.missing_ok)
    if kind == ObjectType.OBJECT_TABLE:
        old = chain.rv(node.relation)
        chain.rename(old, (old[0], node.newname or ""), missing_ok=missing_ok)
    elif kind == ObjectType.OBJECT_INDEX:
        index = chain.rv(node.relation)
        table = chain.belongs_to(index, "index", missing_ok=missing_ok)
        if table is not None:
            chain.touch(table)
            chain.indexes[(index[0], node.newname or "")] = table
    elif kind == ObjectType.OBJECT_COLUMN and node.relationType != ObjectType.OBJECT_TABLE:
        raise _Opaque(_not_a_table(node.relationType))
    elif kind in _TABLE_PARTS or kind == ObjectType.OBJECT_COLUMN:
        chain.touch(chain.rv(node.relation), missing_ok=missing_ok)
    else:
        raise _Opaque(_not_a_table(kind))


def _set_schema(chain: _Chain, node: ast.AlterObjectSchemaStmt) -> None:
    if node.objectType != ObjectType.OBJECT_TABLE:
        raise _Opaque(_not_a_table(node.objectType))
    old = chain.rv(node.relation)
    chain.rename(old, (node.newschema or "", old[1]), missing_ok=bool(node.missing_ok))


def _comment(chain: _Chain, node: ast.CommentStmt) -> None:
    kind, names = node.objtype, _strings(node.object)
    if kind == ObjectType.OBJECT_TABLE:
        chain.touch(chain.qualify(names))
    elif kind in _TABLE_PARTS or kind == ObjectType.OBJECT_COLUMN:
        chain.touch(chain.qualify(names[:-1]))
    elif kind in (ObjectType.OBJECT_INDEX, ObjectType.OBJECT_SEQUENCE):
        what = "index" if kind == ObjectType.OBJECT_INDEX else "sequence"
        table = chain.belongs_to(chain.qualify(names), what)
        if table is not None:
            chain.touch(table)
    else:
        raise _Opaque(_not_a_table(kind))


def _relations(chain: _Chain, relations: Sequence[Any] | None) -> None:
    for rel in relations or ():
        chain.touch(chain.rv(rel))


def _grant(chain: _Chain, node: ast.GrantStmt) -> None:
    if node.objtype != ObjectType.OBJECT_TABLE or (
        node.targtype != GrantTargetType.ACL_TARGET_OBJECT
    ):
        raise _Opaque("privileges on something other than named tables")
    _relations(chain, node.objects)


def _set(_: _Chain, node: ast.VariableSetStmt) -> None:
    if node.kind == VariableSetKind.VAR_RESET_ALL or node.name == "search_path":
        raise _Opaque("a changed search_path leaves unqualified names unresolved")


_HANDLERS: dict[type[ast.Node], Callable[[_Chain, Any], None]] = {
    ast.CreateStmt: _create,
    ast.CreateTableAsStmt: _create_as,
    ast.SelectStmt: _select,
    ast.AlterTableStmt: _alter_table,
    ast.AlterSeqStmt: _alter_sequence,
    ast.IndexStmt: _index,
    ast.DropStmt: _drop,
    ast.RenameStmt: _rename,
    ast.AlterObjectSchemaStmt: _set_schema,
    ast.CommentStmt: _comment,
    ast.TruncateStmt: lambda chain, node: _relations(chain, node.relations),
    ast.CopyStmt: lambda chain, node: _relations(chain, [node.relation] if node.is_from else []),
    ast.GrantStmt: _grant,
    ast.CreatePolicyStmt: lambda chain, node: chain.touch(chain.rv(node.table)),
    ast.AlterPolicyStmt: lambda chain, node: chain.touch(chain.rv(node.table)),
    ast.VariableSetStmt: _set,
}
_TABLE_PARTS = (
    ObjectType.OBJECT_TABCONSTRAINT,
    ObjectType.OBJECT_TRIGGER,
    ObjectType.OBJECT_POLICY,
    ObjectType.OBJECT_RULE,
)
_PARTITION_CMDS = (
    AlterTableType.AT_AttachPartition,
    AlterTableType.AT_DetachPartition,
    AlterTableType.AT_DetachPartitionFinalize,
)
# Functions a SELECT statement may call on its own without writing to tables.
_KNOWN_SELECTED = frozenset(
    {"setval", "nextval", "currval", "pg_sleep", "pg_advisory_xact_lock", "pg_advisory_lock"}
    | {"pg_advisory_unlock", "pg_try_advisory_lock", "pg_try_advisory_xact_lock"}
)


def _not_a_table(kind: ObjectType | None) -> str:
    label = kind.name.removeprefix("OBJECT_").lower().replace("_", " ") if kind else "object"
    label = "materialized view" if label == "matview" else label
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label} is not a table"
