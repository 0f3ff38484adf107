"""Walking one revision's statements: which are ignored, opaque, or write which tables."""

from __future__ import annotations

from collections.abc import Sequence

import pglast
from pglast import ast
from pglast.visitors import Ancestor, Visitor

from migsafe.snapshots.tables.chain import _Chain, _Opaque
from migsafe.snapshots.tables.handlers import _HANDLERS
from migsafe.snapshots.tables.names import Name, _func_name, _literal, _parse_name


def _read_revision(chain: _Chain, sql: str | None, notes: Sequence[str]) -> str | None:
    """Walk one revision's statements; the problem that forces a full dump, if any."""
    if not sql:
        return "; ".join(notes) or "offline mode rendered no SQL for it"
    try:
        statements = pglast.parse_sql(sql)
    except pglast.parser.ParseError as exc:
        return f"its SQL does not parse ({exc})"
    problems: list[str] = []
    writes_before = chain.version_writes
    for raw in statements:
        try:
            _statement(chain, raw.stmt)
        except _Opaque as exc:
            start = raw.stmt_location or 0
            text = sql[start : start + raw.stmt_len] if raw.stmt_len else sql[start:]
            snippet = " ".join(text.split())
            snippet = snippet if len(snippet) <= 80 else snippet[:77] + "..."
            problems.append(f"{exc}: `{snippet}`")
    if notes and chain.version_writes == writes_before:
        # Alembic stamps a revision after its body: without the stamp, rendering stopped in it.
        problems.append("its offline SQL stops part-way: " + "; ".join(notes))
    return "; ".join(problems) or None


def _statement(chain: _Chain, stmt: ast.Node | None) -> None:
    if stmt is None or isinstance(stmt, _IGNORED):
        return
    handler = _HANDLERS.get(type(stmt))
    if handler is None and not isinstance(stmt, _DML):
        raise _Opaque(_OPAQUE.get(type(stmt), "not a table statement"))
    if handler is not None:
        handler(chain, stmt)
    _Writes(chain)(stmt)


class _Writes(Visitor):
    """Targets of writes anywhere in a statement (CTEs included); sources are only read."""

    def __init__(self, chain: _Chain) -> None:
        self.chain = chain

    def _target(self, rel: ast.RangeVar | None) -> None:
        self.chain.touch(self.chain.rv(rel))

    def visit_InsertStmt(self, _: Ancestor, node: ast.InsertStmt) -> None:
        self._target(node.relation)

    def visit_UpdateStmt(self, _: Ancestor, node: ast.UpdateStmt) -> None:
        self._target(node.relation)

    def visit_DeleteStmt(self, _: Ancestor, node: ast.DeleteStmt) -> None:
        self._target(node.relation)

    def visit_MergeStmt(self, _: Ancestor, node: ast.MergeStmt) -> None:
        self._target(node.relation)

    def visit_FuncCall(self, _: Ancestor, node: ast.FuncCall) -> None:
        name = _func_name(node)
        if name in _WRITES_ELSEWHERE:
            raise _Opaque(f"{name}() writes outside tables")
        if name == "setval":
            table = _sequence_table(self.chain, node)
            if table is not None:
                self.chain.touch(table)


def _sequence_table(chain: _Chain, call: ast.FuncCall) -> Name | None:
    """The table setval()'s sequence belongs to (its first argument names the sequence)."""
    arg = call.args[0] if call.args else None
    if isinstance(arg, ast.TypeCast):
        arg = arg.arg
    if isinstance(arg, ast.FuncCall) and _func_name(arg) == "pg_get_serial_sequence":
        table = _parse_name(_literal(arg.args[0]) if arg.args else None)
        if table is None:
            raise _Opaque("setval() on a sequence named by an expression")
        return chain.qualify(table)
    sequence = _parse_name(_literal(arg))
    if sequence is None:
        raise _Opaque("setval() on a sequence named by an expression")
    return chain.belongs_to(chain.qualify(sequence), "sequence")


_DML = (ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt, ast.MergeStmt, ast.ExplainStmt)
# Statements that change no table's rows or definition.
_IGNORED = (
    ast.TransactionStmt,
    ast.LockStmt,
    ast.VariableShowStmt,
    ast.VacuumStmt,
    ast.ClusterStmt,
    ast.ReindexStmt,
    ast.NotifyStmt,
    ast.ListenStmt,
    ast.UnlistenStmt,
    ast.CheckPointStmt,
    ast.ConstraintsSetStmt,
)
_OPAQUE: dict[type[ast.Node], str] = {
    ast.DoStmt: "a DO block runs arbitrary code",
    ast.CallStmt: "a procedure runs arbitrary code",
    ast.CreateFunctionStmt: "a function may write anywhere when called",
    ast.CreateTrigStmt: "a trigger runs code on later writes",
    ast.RuleStmt: "a rule rewrites later writes",
    ast.ViewStmt: "a view is not a table",
    ast.CreateSeqStmt: "a sequence is not a table",
}
_WRITES_ELSEWHERE = frozenset(
    {"set_config", "dblink_exec", "lo_create", "lo_creat", "lo_import", "lo_unlink"}
    | {"lo_from_bytea", "lo_put", "lo_truncate"}
)
