"""Quoting for the SQL the SQLite generator writes: names always quoted, values as literals.

Names go through SQLAlchemy's SQLite identifier preparer (always quoted, so a keyword or an
odd character never changes the meaning), string values through its literal processor.
Catalog text (a table's ``CREATE TABLE``, a column's default) is used as SQLite stored it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.operations.ops import ExecuteSQLOp
from sqlalchemy.dialects import sqlite

from migsafe.reverse._sql import exact

DIALECT: sa.Dialect = sqlite.dialect()
_TEXT = sa.String().literal_processor(DIALECT)  # type: ignore[no-untyped-call]
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def q(name: str) -> str:
    """``"name"``, quotes doubled."""
    return DIALECT.identifier_preparer.quote_identifier(name)


def literal(value: str) -> str:
    """``'value'``, quotes doubled (SQLite has no backslash escapes)."""
    assert _TEXT is not None
    return str(_TEXT(value))


def fold(name: str) -> str:
    """The key SQLite compares names by: ASCII letters case-folded, nothing else."""
    return name.translate(_ASCII_LOWER)


def run(conn: sa.Connection, text: str) -> Any:
    """Execute *text* exactly; the first value of its result, if any."""
    result = conn.execute(exact(text))
    return result.scalar() if result.returns_rows else None


def statement_ops(texts: list[str]) -> list[ExecuteSQLOp]:
    """One ``execute`` operation per statement, each run exactly as written."""
    return [ExecuteSQLOp(exact(t)) for t in texts]
