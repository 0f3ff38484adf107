"""CHECK constraints re-created so that the server stores the same expression again.

``pg_get_constraintdef`` does not always round-trip: SQLAlchemy's ``col IN ('a', 'b')`` (every
non-native ``Enum``, every ``CheckConstraint(col.in_(...))``) on a varchar column is stored as
``(col)::text = ANY ((ARRAY['a'::character varying, ...])::text[])``, and that text, parsed
again, casts each element instead (``'a'::character varying::text``): the same rule, but not
the same definition, so the schema would not come back exactly. Such a definition is written
back in its ``IN`` form; a probe in a savepoint (added ``NOT VALID`` and rolled back: nothing
is scanned or kept) confirms that the server stores it exactly as before, or the catalog text
is used as it is.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pglast
import sqlalchemy as sa
from pglast import ast
from pglast.enums import A_Expr_Kind
from pglast.stream import RawStream
from pglast.visitors import Visitor
from psycopg import sql

from migsafe.reverse._sql import ident, run_verbatim
from migsafe.reverse.reflect import Relation
from migsafe.reverse.reflect_objects import ConstraintDef

_STRING_TYPES = {"varchar", "bpchar", "text"}
_PROBE_NAME = "migsafe_check_probe"
# = ANY is what IN becomes, <> ALL what NOT IN becomes.
_IN_FORMS = ((A_Expr_Kind.AEXPR_OP_ANY, "="), (A_Expr_Kind.AEXPR_OP_ALL, "<>"))


def exact_check(conn: sa.Connection, table: Relation, con: ConstraintDef) -> ConstraintDef:
    """*con* with a definition that re-creates it exactly (call under ``pinned_search_path``,
    while the table is as it will be when the constraint is re-created)."""
    if con.kind != "c":
        return con
    rewritten = in_form(con.definition)
    if rewritten is None:
        return con
    probe = sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {} NOT VALID").format(
        ident(table.schema, table.name), sql.Identifier(_PROBE_NAME), sql.SQL(rewritten)
    )
    stored = sql.SQL(
        "SELECT pg_catalog.pg_get_constraintdef(oid) FROM pg_catalog.pg_constraint "
        "WHERE conrelid = {} AND conname = {}"
    ).format(sql.Literal(table.oid), sql.Literal(_PROBE_NAME))
    savepoint = conn.begin_nested()
    try:
        run_verbatim(conn, probe.as_string(None))
        got = run_verbatim(conn, stored.as_string(None))
    except sa.exc.DBAPIError:
        got = None
    finally:
        savepoint.rollback()
    if isinstance(got, str) and _valid(got) == _valid(con.definition):
        suffix = con.definition[len(_valid(con.definition)) :]
        return replace(con, definition=rewritten + suffix)
    return con


def _valid(definition: str) -> str:
    return definition.removesuffix(" NOT VALID")


def in_form(definition: str) -> str | None:
    """``definition`` (``CHECK (...)``) with ``x::text = ANY ((ARRAY[...])::text[])`` written
    ``x IN (...)`` (and ``<> ALL`` as ``NOT IN``); None when there is nothing to rewrite."""
    try:
        stmt = pglast.parse_sql(f"ALTER TABLE t ADD {_valid(definition)}")[0].stmt
    except pglast.parser.ParseError:
        return None
    cmds = getattr(stmt, "cmds", None) or ()
    con = cmds[0].def_ if cmds else None
    if not isinstance(con, ast.Constraint) or con.raw_expr is None:
        return None
    rewriter = _InForm()
    rewriter(con)
    if not rewriter.changed:
        return None
    text: str = RawStream()(stmt) if stmt is not None else ""
    prefix = "ALTER TABLE t ADD "
    return text[len(prefix) :] if text.startswith(prefix) else None


class _InForm(Visitor):
    changed = False

    def visit_A_Expr(self, ancestors: Any, node: ast.A_Expr) -> Any:
        op = _operator(node)
        if (node.kind, op) not in _IN_FORMS:
            return None
        left, right = node.lexpr, node.rexpr
        if not (isinstance(left, ast.TypeCast) and _type(left) == ("text", False)):
            return None
        if not (isinstance(right, ast.TypeCast) and _type(right) == ("text", True)):
            return None
        array = right.arg
        if not isinstance(array, ast.A_ArrayExpr) or not array.elements:
            return None
        items = []
        for element in array.elements:
            if not (
                isinstance(element, ast.TypeCast)
                and isinstance(element.arg, ast.A_Const)
                and _type(element)[0] in _STRING_TYPES
            ):
                return None
            items.append(element.arg)
        self.changed = True
        return ast.A_Expr(
            kind=A_Expr_Kind.AEXPR_IN,
            name=(ast.String(sval=op),),
            lexpr=left.arg,
            rexpr=tuple(items),
        )


def _operator(node: ast.A_Expr) -> str | None:
    names = node.name or ()
    last = names[-1] if names else None
    return last.sval if isinstance(last, ast.String) else None


def _type(cast: ast.TypeCast) -> tuple[str | None, bool]:
    """The cast's type name (without ``pg_catalog``) and whether it is an array."""
    type_name = cast.typeName
    if type_name is None or type_name.typmods:
        return None, False
    names = [n.sval for n in type_name.names or () if isinstance(n, ast.String)]
    return (names[-1] if names else None), bool(type_name.arrayBounds)
