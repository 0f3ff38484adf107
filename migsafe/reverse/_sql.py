"""Building reverse operations from catalog text: verbatim SQL and verbatim types.

The catalog's own renderings (``pg_get_indexdef``, ``pg_get_constraintdef``, ``format_type``,
``pg_get_expr``) are the only exact description of an index, a constraint, a type or a default,
so the generator reuses them as they are, and composes the names around them with
:mod:`psycopg.sql`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.operations.ops import ExecuteSQLOp
from psycopg import sql


class VerbatimType(sa.types.UserDefinedType[Any]):
    """A column type rendered exactly as PostgreSQL printed it (``numeric(12,2)``,
    ``public.mood[]``, ``character varying(20) COLLATE "C"``): SQLAlchemy's reflected types
    lose details (extension types become ``NullType``, collations are dropped).
    """

    cache_ok = True

    def __init__(self, spec: str) -> None:
        self.spec = spec

    def get_col_spec(self, **kw: Any) -> str:
        return self.spec

    def __repr__(self) -> str:
        return f"VerbatimType({self.spec!r})"


def ident(schema: str, name: str) -> sql.Composed:
    """``"schema"."name"``: reverse scripts always qualify, since they may run under another
    ``search_path`` than the migration did."""
    return sql.SQL(".").join([sql.Identifier(schema), sql.Identifier(name)])


def statement(template: str, *args: sql.Composable | str) -> ExecuteSQLOp:
    """An ``execute`` operation running *template* with ``{}`` filled in order.

    Plain ``str`` arguments are catalog renderings inserted as they are; names must come
    as :class:`psycopg.sql.Identifier` (or :func:`ident`), values as ``sql.Literal``.
    """
    parts = [sql.SQL(a) if isinstance(a, str) else a for a in args]
    return verbatim(sql.SQL(template).format(*parts).as_string(None))


def exact(text: str) -> sa.ExecutableDDLElement:
    """*text* as an executable that runs exactly as written.

    A :class:`sqlalchemy.schema.DDL` rather than ``text()``: ``text()`` reads ``:name`` inside
    string literals as a bind parameter. ``DDL`` interpolates ``%``, hence the doubling.
    """
    return sa.DDL(text.replace("%", "%%"))  # type: ignore[no-untyped-call]


def run_verbatim(conn: sa.Connection, text: str) -> Any:
    """Execute *text* exactly, on a live connection; the first value of its result, if any."""
    result = conn.execute(exact(text))
    return result.scalar() if result.returns_rows else None


def verbatim(text: str) -> ExecuteSQLOp:
    """An ``execute`` operation that runs *text* exactly (see :func:`exact`)."""
    return ExecuteSQLOp(exact(text))


def server_default(expression: str | None) -> sa.ColumnElement[Any] | None:
    """A default expression from ``pg_get_expr``, kept verbatim (``literal_column`` renders it
    as is, where ``text()`` would read colons as bind parameters)."""
    return None if expression is None else sa.literal_column(expression)
