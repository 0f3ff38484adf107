"""SQL text to pglast nodes, one statement at a time, and the node readings rules share."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pglast
from pglast import ast
from pglast.parser import ParseError

from migsafe.reverse._pgnodes import strings, walk

__all__ = ["func_name", "parse_one", "qualified", "strings", "table_of", "walk"]


@lru_cache(maxsize=4096)
def _parse(sql: str) -> tuple[tuple[str, Any], ...]:
    try:
        raws = pglast.parse_sql(sql)
    except ParseError:
        return ((sql.strip(), None),)
    encoded = sql.encode("utf-8")
    out: list[tuple[str, Any]] = []
    for raw in raws:
        start = raw.stmt_location or 0
        length = raw.stmt_len or len(encoded) - start
        text = encoded[start : start + length].decode("utf-8", "replace").strip()
        out.append((text, raw.stmt))
    return tuple(out)


def parse_one(sql: str) -> tuple[tuple[str, Any], ...]:
    """``(text, node)`` per statement in ``sql``; ``node`` is None where it does not parse."""
    if not sql.strip():
        return ()
    return _parse(sql)


def qualified(rv: ast.RangeVar | None) -> str | None:
    """``schema.name`` (or ``name``) of a RangeVar."""
    if rv is None or rv.relname is None:
        return None
    return f"{rv.schemaname}.{rv.relname}" if rv.schemaname else rv.relname


def table_of(node: Any) -> str | None:
    """The table a statement acts on, where it names one relation."""
    rv = getattr(node, "relation", None)
    if isinstance(rv, ast.RangeVar):
        return qualified(rv)
    return None


def func_name(call: ast.FuncCall) -> str:
    """``schema.name`` or ``name`` of a function call, lower case."""
    return ".".join(strings(call.funcname)).lower()
