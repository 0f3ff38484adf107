"""Reverse of ``op.execute``: raw SQL, parsed with pglast and mirrored where that is exact.

DDL whose inverse is known (CREATE INDEX/TABLE/TYPE/SCHEMA/SEQUENCE/VIEW, most ALTER TABLE
sub-commands, renames, comments, DROP TABLE/INDEX/TYPE) is translated into the equivalent
Alembic operations and reversed by the same code, so raw SQL gets the same archives and
completions as the operations. Anything that changes data (INSERT, UPDATE, DELETE, MERGE,
TRUNCATE, COPY), procedural code, and any statement not mirrored is irreversible, with the
reason. Several statements in one ``execute`` are replaced by one ``execute`` per statement
(``replace_with``), so each is reversed against the schema as it is just before it runs.
"""

from __future__ import annotations

from typing import Any

import pglast
import sqlalchemy as sa
from alembic.operations.ops import ExecuteSQLOp
from pglast import ast
from sqlalchemy.dialects import postgresql

from migsafe.reverse._sql import verbatim
from migsafe.reverse.confined import parseable
from migsafe.reverse.model import Reverse
from migsafe.reverse.raw_sql.ddl import MIRRORED, mirror
from migsafe.reverse.raw_sql.inert import harmless_select
from migsafe.reverse.reflect import Live

# Percent signs and colons must come out as written: pyformat would double '%'.
_RENDER_DIALECT: sa.Dialect = postgresql.dialect(paramstyle="named")  # type: ignore[no-untyped-call]

_CHANGES_DATA = {
    ast.InsertStmt: "INSERT",
    ast.UpdateStmt: "UPDATE",
    ast.DeleteStmt: "DELETE",
    ast.MergeStmt: "MERGE",
    ast.TruncateStmt: "TRUNCATE",
    ast.CopyStmt: "COPY",
}

_OPAQUE = {
    ast.SelectStmt: "a SELECT may call functions that change data",
    ast.DoStmt: "a DO block is procedural code",
    ast.CallStmt: "CALL runs a procedure",
}


def reverse_execute(op: ExecuteSQLOp, live: Live) -> Reverse:
    text = sql_text(op.sqltext)
    if isinstance(text, Reverse):
        return text
    try:
        statements: tuple[str, ...] = tuple(pglast.split(text))
    except pglast.parser.ParseError as exc:
        return Reverse.refused(f"its SQL does not parse ({exc})")
    if not statements:
        return Reverse.nothing()
    if len(statements) > 1:
        options = op.execution_options
        return Reverse(
            replace_with=tuple(
                ExecuteSQLOp(verbatim(s).sqltext, execution_options=options) for s in statements
            )
        )
    node = pglast.parse_sql(statements[0])[0].stmt
    return reverse_statement(node, live)


def reverse_statement(node: Any, live: Live) -> Reverse:
    """The reverse of one parsed statement, or why there is none."""
    verdict = static_verdict(node)
    if verdict is not None:
        return Reverse.refused(verdict)
    return mirror(node, live)


def static_verdict(node: Any) -> str | None:
    """Why *node* is irreversible, when that is known without a database (for the plan)."""
    kind = _CHANGES_DATA.get(type(node))
    if kind is not None:
        return f"{kind} changes data, which a reverse script cannot restore"
    if isinstance(node, ast.SelectStmt) and harmless_select(node) is not None:
        return None  # reads, or acts on the session/a sequence only (raw_sql.inert)
    if type(node) in _OPAQUE:
        return _OPAQUE[type(node)]
    if type(node) not in MIRRORED:
        return f"{type(node).__name__} statements are not mirrored"
    return None


def classify_sql(text: str) -> str | None:
    """Static verdict on a whole SQL string: the first statement known to be irreversible."""
    try:
        statements = pglast.parse_sql(text)
    except pglast.parser.ParseError as exc:
        # SQL seen on the connection has the driver's placeholders (``%(name)s``, ``%s``).
        try:
            statements = pglast.parse_sql(parseable(text))
        except pglast.parser.ParseError:
            return f"its SQL does not parse ({exc})"
    for raw in statements:
        verdict = static_verdict(raw.stmt)
        if verdict is not None:
            return verdict
    return None


def render_clause(clause: Any, dialect: sa.Dialect = _RENDER_DIALECT) -> str | None:
    """A SQLAlchemy construct as the SQL text it runs, values inlined; None if it cannot be."""
    if not isinstance(clause, sa.sql.ClauseElement):
        return None
    try:
        return str(clause.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    except sa.exc.SQLAlchemyError:
        return None


def sql_text(sqltext: Any, dialect: sa.Dialect = _RENDER_DIALECT) -> str | Reverse:
    """The SQL an ``execute`` runs, as text; or a refusal when it is not DDL-shaped."""
    if isinstance(sqltext, str):
        return sqltext
    if isinstance(sqltext, sa.sql.dml.UpdateBase):
        return Reverse.refused(f"{type(sqltext).__name__.upper()} changes data")
    if isinstance(sqltext, sa.sql.Selectable):
        return Reverse.refused("a SELECT may call functions that change data")
    if isinstance(sqltext, sa.sql.ClauseElement):
        text = render_clause(sqltext, dialect)
        return Reverse.refused("its SQL cannot be rendered to be read") if text is None else text
    return Reverse.refused(f"{type(sqltext).__name__} is not SQL text")
