"""Going on with a revision whose offline render stopped.

A revision that needs a database (an ORM session, a value read from a row) raises where it
needs it. Its later top-level ``op.*`` statements do not depend on that: they are run one by
one, each on its own, so that an ``op.alter_column(nullable=False)`` after an ORM backfill is
still linted.
"""

from __future__ import annotations

import ast
from pathlib import Path
from types import TracebackType
from typing import Any


def line_in(fn: Any, tb: TracebackType | None) -> int | None:
    """The line of ``fn``'s own body that was running when ``tb`` was raised."""
    found = None
    while tb is not None:
        if tb.tb_frame.f_code is getattr(fn, "__code__", None):
            found = tb.tb_lineno
        tb = tb.tb_next
    return found


def resume(fn: Any, path: str, stopped_at: int) -> None:
    """Run the top-level ``op.*`` statements of ``fn`` after line ``stopped_at``, each on its
    own: one that needs what the stopped code would have made fails alone."""
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"), filename=path)
    except (OSError, SyntaxError, ValueError):
        return
    body = next(
        (
            node.body
            for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.name == fn.__name__
            and node.lineno == fn.__code__.co_firstlineno
        ),
        [],
    )
    for stmt in body:
        if stmt.lineno <= stopped_at or not _is_op_statement(stmt):
            continue
        try:
            code = compile(ast.Module(body=[stmt], type_ignores=[]), path, "exec")
            exec(code, fn.__globals__, {})
        except (Exception, SystemExit):
            continue


def _is_op_statement(stmt: ast.stmt) -> bool:
    """``op.add_column(...)``, ``with op.batch_alter_table(...)``, ``with
    op.get_context().autocommit_block()``: statements that need only Alembic's ``op``."""
    if isinstance(stmt, ast.Expr):
        return _rooted_at_op(stmt.value)
    if isinstance(stmt, ast.With):
        return all(_rooted_at_op(item.context_expr) for item in stmt.items)
    return False


def _rooted_at_op(node: ast.expr) -> bool:
    while isinstance(node, (ast.Call, ast.Attribute)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return isinstance(node, ast.Name) and node.id == "op"
