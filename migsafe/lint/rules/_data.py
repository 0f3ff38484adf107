"""What the data-migration rules share: the UPDATE/DELETE inside a statement, whether its WHERE
filters anything, and the table an ORM model in the revision file maps to."""

from __future__ import annotations

import ast as pyast
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from pglast import ast

from migsafe.lint.context import Context
from migsafe.lint.model import Hit, PyKind, RevisionInput, Statement
from migsafe.lint.pysource import reachable
from migsafe.lint.sqltext import parse_one, walk

# Bind parameters a statement read from the source still carries (``:id``, ``%(id)s``,
# ``%s``); not ``::type`` casts.
_BINDS = re.compile(r"(?<![:\w]):[A-Za-z_]\w*|%\([A-Za-z_]\w*\)s|%s")


def node_of(stmt: Statement) -> Any:
    """The statement's node; for SQL with bind parameters, parsed with NULL in their place.

    ``conn.execute(sa.text("UPDATE t SET c = :v"), {...})`` read from the source keeps its
    ``:v``, which PostgreSQL's parser refuses; the value does not matter to these rules.
    """
    if stmt.node is not None:
        return stmt.node
    sql = _BINDS.sub("NULL", stmt.sql)
    if sql == stmt.sql:
        return None
    parsed = parse_one(sql)
    return parsed[0][1] if len(parsed) == 1 else None


# Statements that hold an UPDATE/DELETE without running it (a rule's action, a prepared
# statement, a plan, a function body).
_NOT_RUN = (ast.RuleStmt, ast.PrepareStmt, ast.ExplainStmt, ast.CreateFunctionStmt)


def dml(node: Any, kind: type[ast.UpdateStmt] | type[ast.DeleteStmt]) -> Iterator[Any]:
    """Every UPDATE (or DELETE) ``node`` runs: the statement itself and those in its WITH."""
    if isinstance(node, _NOT_RUN):
        return
    for inner in walk(node):
        if isinstance(inner, kind):
            yield inner


def unfiltered(where: Any) -> bool:
    """No WHERE, or one every row passes: ``TRUE``, ``'t'::boolean``, ``1 = 1``."""
    if where is None:
        return True
    if isinstance(where, ast.TypeCast):
        where = where.arg
    if isinstance(where, ast.A_Const) and not where.isnull:
        value = where.val
        if isinstance(value, ast.Boolean):
            return bool(value.boolval)
        if isinstance(value, ast.String):
            return (value.sval or "").strip().lower() in ("t", "true", "y", "yes", "on", "1")
        return False
    if (
        isinstance(where, ast.A_Expr)
        and [s.sval for s in where.name or () if isinstance(s, ast.String)] == ["="]
        and isinstance(where.lexpr, ast.A_Const)
        and isinstance(where.rexpr, ast.A_Const)
        and not where.lexpr.isnull
    ):
        return bool(where.lexpr.val == where.rexpr.val)
    return False


def model_table(source: str, model: str) -> str | None:
    """The ``__tablename__`` of ``model`` when the revision file declares it (``User``,
    ``models.User`` -> ``User``)."""
    return _model_tables(source).get(model.rsplit(".", 1)[-1])


@lru_cache(maxsize=64)
def _model_tables(source: str) -> dict[str, str]:
    try:
        tree = pyast.parse(source)
    except SyntaxError:
        return {}
    tables: dict[str, str] = {}
    for node in pyast.walk(tree):
        if not isinstance(node, pyast.ClassDef):
            continue
        for item in node.body:
            if (
                isinstance(item, pyast.Assign)
                and any(isinstance(t, pyast.Name) and t.id == "__tablename__" for t in item.targets)
                and isinstance(item.value, pyast.Constant)
                and isinstance(item.value.value, str)
            ):
                tables[node.name] = item.value.value
    return tables


def batch_loops(source: str, verb: str) -> list[tuple[int, str | None]]:
    """Loops in ``upgrade()`` (and the functions it calls) outside ``autocommit_block()`` that
    send an ``UPDATE`` (``verb``) each time round: ``for lo in range(...)`` or ``while``.

    Offline each runs once at most and its statement has a WHERE; the loop is what shows that
    together they cover the table, in one transaction. Returns ``(line, table)`` per loop.
    """
    try:
        tree = pyast.parse(source)
    except SyntaxError:
        return []
    functions = {
        n.name: n for n in tree.body if isinstance(n, (pyast.FunctionDef, pyast.AsyncFunctionDef))
    }
    if "upgrade" not in functions:
        return []
    loops: list[tuple[pyast.For | pyast.While, str]] = []
    # The functions run in the migration's transaction: upgrade() and what it calls outside
    # autocommit_block() (a helper called inside one commits batch by batch).
    seen = {"upgrade"}
    todo = [functions["upgrade"]]
    while todo:
        fn = todo.pop()
        for node in _outside_autocommit(fn.body):
            if isinstance(node, pyast.Call) and isinstance(node.func, pyast.Name):
                callee = functions.get(node.func.id)
                if callee is not None and callee.name not in seen:
                    seen.add(callee.name)
                    todo.append(callee)
            elif isinstance(node, (pyast.For, pyast.While)) and _batching(node):
                sql = _sent(node, verb.upper())
                if sql is not None:
                    loops.append((node, sql))
    # A loop inside another batching loop is part of it.
    outer = [
        (loop, sql)
        for loop, sql in loops
        if not any(
            other is not loop and other.lineno <= loop.lineno <= (other.end_lineno or 0)
            for other, _ in loops
        )
    ]
    return sorted((loop.lineno, _table_in(sql)) for loop, sql in outer)


def _outside_autocommit(body: list[pyast.stmt]) -> Iterator[pyast.AST]:
    """Every node of ``body``, except inside ``with ...autocommit_block():``."""
    todo: list[pyast.AST] = list(body)
    while todo:
        node = todo.pop()
        if isinstance(node, pyast.With) and any(
            isinstance(item.context_expr, pyast.Call)
            and isinstance(item.context_expr.func, pyast.Attribute)
            and item.context_expr.func.attr == "autocommit_block"
            for item in node.items
        ):
            continue  # each statement in it commits on its own
        yield node
        todo.extend(pyast.iter_child_nodes(node))


def _batching(stmt: pyast.AST) -> bool:
    if isinstance(stmt, pyast.While):
        return True
    return (
        isinstance(stmt, pyast.For)
        and isinstance(stmt.iter, pyast.Call)
        and isinstance(stmt.iter.func, pyast.Name)
        and stmt.iter.func.id == "range"
    )


def _sent(loop: pyast.AST, verb: str) -> str | None:
    """The SQL of an ``UPDATE`` (``verb``) executed in the loop (its test included), or ``""``
    for a SQLAlchemy Core ``sa.update(...)``."""
    for node in pyast.walk(loop):
        if not (isinstance(node, pyast.Call) and isinstance(node.func, pyast.Attribute)):
            continue
        if node.func.attr in ("execute", "exec_driver_sql") and node.args:
            sql = _literal(node.args[0])
            if sql is not None and sql.lstrip().upper().startswith(verb):
                return sql
            if _core(node.args[0], verb):
                return ""
    return None


def _core(node: pyast.expr, verb: str) -> bool:
    for inner in pyast.walk(node):
        if (
            isinstance(inner, pyast.Call)
            and isinstance(inner.func, pyast.Attribute)
            and inner.func.attr == verb.lower()
        ):
            return True
    return False


def _literal(node: pyast.expr) -> str | None:
    if isinstance(node, pyast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, pyast.JoinedStr):
        return "".join(
            str(v.value) if isinstance(v, pyast.Constant) else "NULL" for v in node.values
        )
    if isinstance(node, pyast.Call):
        if node.args:
            return _literal(node.args[0])  # sa.text("...")
        if isinstance(node.func, pyast.Attribute):
            return _literal(node.func.value)  # sa.text("...").bindparams(...)
    return None


def _table_in(sql: str) -> str | None:
    from migsafe.lint.sqltext import qualified

    parsed = parse_one(_BINDS.sub("NULL", sql))
    node = parsed[0][1] if parsed else None
    rv = getattr(node, "relation", None)
    return qualified(rv) if isinstance(rv, ast.RangeVar) else None


def core_unfiltered(source: str, verb: str, after: int) -> list[tuple[int, str, str | None]]:
    """``X.execute(sa.update(T).values(...))`` without ``.where()`` at or after line ``after``.

    Offline rendering stops at the first thing that needs a database (an ORM session's first
    statement); the SQLAlchemy Core statements after it are only in the source. Returns
    ``(line, what, table)``: ``what`` names the target as the source does (``User``,
    ``users``), ``table`` is its table where the file shows it.
    """
    try:
        tree = pyast.parse(source)
    except SyntaxError:
        return []
    functions = {
        n.name: n for n in tree.body if isinstance(n, (pyast.FunctionDef, pyast.AsyncFunctionDef))
    }
    if "upgrade" not in functions:
        return []
    found: list[tuple[int, str, str | None]] = []
    for fn in reachable(functions["upgrade"], functions):
        tables = _table_variables(fn)
        for node in pyast.walk(fn):
            if (
                isinstance(node, pyast.Call)
                and node.lineno >= after
                and isinstance(node.func, pyast.Attribute)
                and node.func.attr in ("execute", "exec_driver_sql")
                and node.args
            ):
                target = _unfiltered_target(node.args[0], verb)
                if target is not None:
                    table = tables.get(target) or _model_tables(source).get(target)
                    found.append((node.lineno, target, table))
    return found


def _unfiltered_target(expr: pyast.expr, verb: str) -> str | None:
    """``T`` of ``sa.update(T).values(...)`` / ``T.update().values(...)`` with no ``where``."""
    node: pyast.expr = expr
    target: str | None = None
    while isinstance(node, pyast.Call) and isinstance(node.func, (pyast.Attribute, pyast.Name)):
        func = node.func
        name = func.attr if isinstance(func, pyast.Attribute) else func.id
        if name in ("where", "filter", "filter_by"):
            return None
        if name == verb:
            if node.args and isinstance(node.args[0], pyast.Name):
                target = node.args[0].id  # sa.update(T)
            elif isinstance(func, pyast.Attribute) and isinstance(func.value, pyast.Name):
                target = func.value.id  # T.update()
            return target if target not in (None, "sa", "sqlalchemy") else None
        if not isinstance(func, pyast.Attribute):
            return None
        node = func.value
    return None


def _table_variables(fn: Any) -> dict[str, str]:
    """``t = sa.table("orders", ...)`` / ``sa.Table("orders", ...)``: ``{"t": "orders"}``."""
    out: dict[str, str] = {}
    for node in pyast.walk(fn):
        if (
            isinstance(node, pyast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], pyast.Name)
            and isinstance(node.value, pyast.Call)
            and isinstance(node.value.func, (pyast.Attribute, pyast.Name))
            and (
                node.value.func.attr
                if isinstance(node.value.func, pyast.Attribute)
                else node.value.func.id
            )
            in ("table", "Table")
            and node.value.args
            and isinstance(node.value.args[0], pyast.Constant)
            and isinstance(node.value.args[0].value, str)
        ):
            out[node.targets[0].id] = node.value.args[0].value
    return out


def whole_table_hits(
    rev: RevisionInput, ctx: Context, verb: str, effect: str, locks: str
) -> Iterator[Hit]:
    """The revision-level findings of whole-table-update (``verb`` "update") and
    whole-table-delete ("delete"): ORM ``query().update()/delete()`` without a filter, batch
    loops outside ``autocommit_block()``, Core statements the render did not reach.
    ``effect``: "rewrites" / "deletes"; ``locks``: what the rows' locks keep out until commit.
    """
    sql = "UPDATE" if verb == "update" else "DELETE FROM"
    kind = PyKind.ORM_UPDATE_ALL if verb == "update" else PyKind.ORM_DELETE_ALL
    for fact in rev.python:
        if fact.kind != kind:
            continue
        table = model_table(rev.source, fact.detail) if fact.detail else None
        if ctx.is_new_table(table):
            continue
        model = fact.detail or "the model"
        target = f" ({table})" if table else ""
        yield Hit(
            f"query({model}).{verb}() without a filter {effect} every row of {model}{target} "
            f"in the migration's transaction: {locks}",
            fact.line,
            table=table,
        )
    # Batches in a loop help only when each commits: in the migration's transaction they add
    # up to one statement over the whole table.
    for line, table in batch_loops(rev.source, verb):
        if ctx.is_new_table(table):
            continue
        yield Hit(
            f"loop sends {sql} {table or 'the table'} batch by batch in the migration's "
            "transaction: the batches commit together, every row they touch stays locked until "
            "the end; run the loop in autocommit_block()",
            line,
            table=table,
        )
    if rev.stopped_at is None:
        return
    rendered = {s.line for s in rev.statements if not s.from_source}
    for line, target, table in core_unfiltered(rev.source, verb, rev.stopped_at):
        if line in rendered or ctx.is_new_table(table):
            continue
        yield Hit(
            f"{sql} {table or target} without WHERE (a Core {verb} of {target} with no "
            f".where()) {effect} every row of it in the migration's transaction: all rows "
            "locked until commit",
            line,
            table=table,
        )
