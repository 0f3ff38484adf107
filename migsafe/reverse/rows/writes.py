"""Which tables a statement may write rows to, read from its SQL before it runs.

The capture triggers (:mod:`migsafe.reverse.rows.log`) only see the tables they are installed
on, and installing one locks its table against the application's writes until the migration
commits. So they go on the tables a statement names as its targets (``INSERT``/``UPDATE``/
``DELETE``/``MERGE``/``TRUNCATE``/``COPY ... FROM``, data-modifying CTEs included), and on
every table when the statement may write where its text does not say: a ``DO`` block, a
``CALL``, a user function it calls (``SELECT backfill()``), SQL that does not parse. What the
named targets set off (foreign-key cascades, their triggers) is added from the catalog by
:func:`migsafe.reverse.rows.log.widen`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pglast
from pglast import ast

from migsafe.reverse._pgnodes import walk
from migsafe.reverse.confined import parseable
from migsafe.reverse.raw_sql.inert import harmless_select

Table = tuple[str | None, str]  # (schema or None for search_path, name)


@dataclass(frozen=True)
class Writes:
    """What one statement (or several in one string) may write."""

    tables: frozenset[Table] = frozenset()
    # Functions it calls whose effect the text does not show (checked against pg_proc: only
    # volatile functions outside pg_catalog can write).
    functions: frozenset[str] = frozenset()
    # It may write anywhere, whatever the catalog says (DO, CALL, unparsable SQL): why.
    anywhere: str | None = None
    truncates: bool = False

    @property
    def any(self) -> bool:
        return bool(self.tables or self.functions or self.anywhere)


_TARGETED = (ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt, ast.MergeStmt)


def writes_of(sql_text: str) -> Writes:
    """What *sql_text* may write; ``Writes()`` when it is DDL or only reads."""
    try:
        statements = pglast.parse_sql(parseable(sql_text))
    except pglast.parser.ParseError:
        return Writes(anywhere="its SQL does not parse")
    tables: set[Table] = set()
    functions: set[str] = set()
    truncates = False
    for raw in statements:
        node = raw.stmt
        if isinstance(node, ast.DoStmt | ast.CallStmt):
            kind = "a DO block" if isinstance(node, ast.DoStmt) else "CALL"
            return Writes(anywhere=f"{kind} may write to any table")
        if isinstance(node, ast.SelectStmt) and harmless_select(node) is not None:
            continue
        if not isinstance(node, (*_TARGETED, ast.SelectStmt, ast.TruncateStmt, ast.CopyStmt)):
            continue  # DDL: reversed by the operation mirrors, not captured as rows
        if isinstance(node, ast.CopyStmt):
            if node.is_from and node.relation is not None:
                tables.add(_name(node.relation))
            continue
        if isinstance(node, ast.TruncateStmt):
            truncates = True
            tables.update(_name(rv) for rv in node.relations or ())
            continue
        for sub in walk(node):
            if isinstance(sub, _TARGETED) and sub.relation is not None:
                tables.add(_name(sub.relation))
            elif isinstance(sub, ast.FuncCall):
                functions.add(_function(sub))
    return Writes(frozenset(tables), frozenset(functions), None, truncates)


def _name(rv: ast.RangeVar) -> Table:
    return rv.schemaname, str(rv.relname)


def _function(call: ast.FuncCall) -> str:
    return ".".join(str(getattr(p, "sval", "")) for p in call.funcname or ())
