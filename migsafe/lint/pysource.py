"""What a revision's Python shows that its SQL does not: data migrations, read from the AST.

Offline rendering sees every statement Alembic emits, and the SQL sent through
``op.get_bind()``. It cannot see a loop that writes one row at a time (offline, the rows it
iterates over are none), nor an ORM session's flushes, nor anything after the point where the
revision's code needed a database to go on. The source can: this module reads ``upgrade()``
and the module's functions it calls.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from migsafe.lint.model import PyFact, PyKind, Via

_EXECUTES = {"execute", "exec_driver_sql"}
_QUERIES = {"query", "execute", "scalars", "scalar", "all", "fetchall", "fetchmany", "yield_per"}
_FILTERS = {"filter", "filter_by", "where", "get", "with_parent"}
_ROW_WRITES = {"execute", "add", "merge", "add_all", "delete", "exec_driver_sql", "flush"}


@dataclass(frozen=True)
class SourceFacts:
    python: tuple[PyFact, ...] = ()
    # literal SQL passed to .execute(), with its line and whether through op or a connection
    literal_sql: tuple[tuple[int, str, Via], ...] = ()
    has_downgrade: bool = True
    downgrade_line: int | None = None
    notes: tuple[str, ...] = field(default=())


def read_source(source: str) -> SourceFacts:
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return SourceFacts(notes=(f"the source does not parse: {exc.msg} (line {exc.lineno})",))
    functions = {
        node.name: node
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    downgrade = functions.get("downgrade")
    has_downgrade = downgrade is not None and not _empty(downgrade)
    upgrade = functions.get("upgrade")
    if upgrade is None:
        return SourceFacts(
            has_downgrade=has_downgrade,
            downgrade_line=downgrade.lineno if downgrade else None,
        )
    bodies = list(reachable(upgrade, functions))
    python: list[PyFact] = []
    literal: list[tuple[int, str, Via]] = []
    for fn in bodies:
        assigned = _assignments(fn)
        for node in ast.walk(fn):
            if isinstance(node, (ast.For, ast.AsyncFor)):
                rows = _rows_of(node, assigned)
                if _is_row_loop(node, rows):
                    python.append(PyFact(PyKind.ROW_LOOP, node.lineno, _source_of(rows)))
            elif isinstance(node, ast.Call):
                python.extend(_call_facts(node))
                sql = _literal_execute(node)
                if sql is not None:
                    literal.append(sql)
    python.sort(key=lambda f: f.line)
    literal.sort(key=lambda x: x[0])
    return SourceFacts(
        python=tuple(dict.fromkeys(python)),
        literal_sql=tuple(literal),
        has_downgrade=has_downgrade,
        downgrade_line=downgrade.lineno if downgrade else None,
    )


def _empty(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A body of ``pass``, ``...``, a docstring or ``raise NotImplementedError``."""
    for stmt in fn.body:
        if isinstance(stmt, ast.Pass):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue
        if isinstance(stmt, ast.Raise):
            exc = stmt.exc
            name = exc.func if isinstance(exc, ast.Call) else exc
            if isinstance(name, ast.Name) and name.id == "NotImplementedError":
                continue
        return False
    return True


def reachable(
    start: ast.FunctionDef | ast.AsyncFunctionDef,
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef],
) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    """``start`` and the module's functions it calls, directly or not."""
    seen = {start.name}
    todo = [start]
    while todo:
        fn = todo.pop()
        yield fn
        for node in ast.walk(fn):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                callee = functions.get(node.func.id)
                if callee is not None and callee.name not in seen:
                    seen.add(callee.name)
                    todo.append(callee)


def _chain(expr: ast.expr) -> list[str]:
    """The attribute/call names of ``a.b(...).c(...)``, from the root: ``['a', 'b', 'c']``."""
    names: list[str] = []
    node: ast.expr | None = expr
    while node is not None:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            names.append(node.id)
            node = None
        else:
            node = None
    return names[::-1]


def _call_facts(call: ast.Call) -> Iterator[PyFact]:
    names = _chain(call)
    if not names:
        return
    last = names[-1]
    if last in ("Session", "sessionmaker"):
        yield PyFact(PyKind.ORM_SESSION, call.lineno)
    elif last == "bulk_insert" and names[0] == "op":
        yield PyFact(PyKind.BULK_INSERT, call.lineno)
    elif last in ("update", "delete") and "query" in names and not _FILTERS & set(names):
        model = _query_model(call)
        kind = PyKind.ORM_UPDATE_ALL if last == "update" else PyKind.ORM_DELETE_ALL
        yield PyFact(kind, call.lineno, model)


def _query_model(call: ast.Call) -> str:
    node: ast.expr | None = call
    while isinstance(node, (ast.Call, ast.Attribute)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "query"
            and node.args
        ):
            return _source_of(node.args[0])
        node = node.func if isinstance(node, ast.Call) else node.value
    return ""


def _assignments(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, ast.expr]:
    """``name = <expression>`` in ``fn`` (the last one per name)."""
    out: dict[str, ast.expr] = {}
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                out[target.id] = node.value
    return out


def _rows_of(loop: ast.For | ast.AsyncFor, assigned: dict[str, ast.expr]) -> ast.expr:
    """What the loop iterates over: ``rows = conn.execute(...).fetchall()`` then ``for row in
    rows`` iterates over the call."""
    if isinstance(loop.iter, ast.Name) and loop.iter.id in assigned:
        return assigned[loop.iter.id]
    return loop.iter


def _is_row_loop(loop: ast.For | ast.AsyncFor, rows: ast.expr) -> bool:
    """A loop over rows read from the database whose body writes (per row)."""
    reads = any(
        isinstance(n, ast.Call) and _chain(n) and _chain(n)[-1] in _QUERIES for n in ast.walk(rows)
    )
    if not reads:
        return False
    target_names = {n.id for n in ast.walk(loop.target) if isinstance(n, ast.Name)}
    for stmt in loop.body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call) and (_chain(node) or [""])[-1] in _ROW_WRITES:
                return True
            if isinstance(node, (ast.Assign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    if (
                        isinstance(t, ast.Attribute)
                        and isinstance(t.value, ast.Name)
                        and t.value.id in target_names
                    ):
                        return True  # row.attr = ...: an ORM object changed, flushed later
    return False


def _string(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Call) and _chain(node)[-1:] in (["text"], ["DDL"]) and node.args:
        return _string(node.args[0])
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _string(node.left), _string(node.right)
        return left + right if left is not None and right is not None else None
    return None


def _literal_execute(call: ast.Call) -> tuple[int, str, Via] | None:
    names = _chain(call)
    if not names or names[-1] not in _EXECUTES or not call.args:
        return None
    sql = _string(call.args[0])
    if sql is None:
        return None
    via = Via.OP if names == ["op", "execute"] else Via.CONNECTION
    return call.lineno, sql, via


def _source_of(node: ast.expr) -> str:
    try:
        return ast.unparse(node)[:80]
    except Exception:
        return ""
