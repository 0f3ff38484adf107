"""Reading the parts of pglast nodes that the raw-SQL mirrors need."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from pglast import ast
from pglast.stream import RawStream

_T = TypeVar("_T")


class Unreadable(Exception):
    """The statement lacks a part its mirror needs (a name, a definition)."""


def need(value: _T | None) -> _T:
    if value is None:
        raise Unreadable
    return value


def rel(rv: ast.RangeVar | None) -> tuple[str | None, str]:
    """``(schema, name)`` of a RangeVar; the schema is None when the SQL leaves it to
    ``search_path``."""
    rv = need(rv)
    return rv.schemaname, need(rv.relname)


def strings(parts: Sequence[Any] | None) -> list[str]:
    return [p.sval for p in parts or () if isinstance(p, ast.String) and p.sval is not None]


def names(parts: Sequence[Any] | None) -> tuple[str | None, str]:
    """``(schema, name)`` from a tuple of pglast String nodes (``a.b`` or ``b``)."""
    values = strings(parts)
    if not values:
        raise Unreadable
    return (values[-2] if len(values) > 1 else None), values[-1]


def deparse(node: Any) -> str:
    return str(RawStream()(node))


def kind_name(value: Any, prefix: str) -> str:
    """``OBJECT_MATVIEW`` -> ``MATVIEW``, for messages."""
    return str(getattr(value, "name", value)).removeprefix(prefix)


def walk(value: Any) -> Iterator[Any]:
    """*value* and every pglast node inside it, depth first."""
    if isinstance(value, ast.Node):
        yield value
        for attr in getattr(value, "__slots__", ()):
            yield from walk(getattr(value, attr, None))
    elif isinstance(value, tuple):
        for item in value:
            yield from walk(item)
