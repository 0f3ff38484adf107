"""Data changes that the reverse undoes anyway: writes confined to what the revision created.

Raw SQL that changes data is irreversible in general. One case is exact, and it is the most
common data migration: a backfill that only writes to a table or columns created earlier in
the same revision (``add_column`` then ``UPDATE t SET new_col = ...``; ``create_table`` then
``INSERT INTO new_table ...``). The revision's reverse removes those objects with everything
written to them, so the writes need no reverse of their own. Anything else that writes data
(an existing column, a DELETE from an existing table, a data-modifying CTE) stays irreversible.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

import pglast
from pglast import ast


def confined(
    sql_text: str,
    created_tables: Collection[str],
    added_columns: Mapping[str, Collection[str]],
) -> bool:
    """True when every statement in *sql_text* writes only to objects this revision created.

    Tables are compared by bare name (lower case), as the revision named them.
    """
    try:
        statements = pglast.parse_sql(parseable(sql_text))
    except pglast.parser.ParseError:
        return False
    if not statements:
        return False
    tables = {t.lower() for t in created_tables}
    columns = {t.lower(): {c.lower() for c in cols} for t, cols in added_columns.items()}
    return all(_confined(raw.stmt, tables, columns) for raw in statements)


# What a DB-API driver's statement has where the values go (psycopg: ``%(name)s``, ``%s``).
_PLACEHOLDER = re.compile(r"%\(\w+\)s|%s|%%")


def parseable(statement: str) -> str:
    """*statement* as a driver received it (``%(name)s`` placeholders, ``%%`` for ``%``), in
    a form PostgreSQL's parser reads: placeholders become ``$1`` parameters. SQL that reaches
    the connection directly (``session.execute(table.insert(), rows)``) looks like this."""
    if "%" not in statement:
        return statement
    return _PLACEHOLDER.sub(lambda m: "%" if m.group() == "%%" else "$1", statement)


def _confined(node: Any, tables: set[str], columns: dict[str, set[str]]) -> bool:
    if not isinstance(node, ast.InsertStmt | ast.UpdateStmt | ast.DeleteStmt):
        return False
    if getattr(node, "withClause", None) is not None:
        return False  # a CTE may write elsewhere (WITH x AS (DELETE ...))
    relation = node.relation
    target = ((relation.relname if relation is not None else None) or "").lower()
    if target in tables:
        return True
    if isinstance(node, ast.UpdateStmt):
        written = {(t.name or "").lower() for t in node.targetList or ()}
        return bool(written) and written <= columns.get(target, set())
    return False
