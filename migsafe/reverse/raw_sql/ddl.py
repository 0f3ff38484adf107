"""Raw DDL statements mirrored as the Alembic operations they amount to.

Each mirror turns a pglast node into the operation(s) that do the same thing and asks their
handler for the reverse, so raw SQL and operations share one implementation. Only what the
reverse needs is translated (``ALTER TABLE t ADD COLUMN c ...`` needs the name, not the type).
The mirrors live by statement family in ``create``, ``alter`` and
``drop``; this module is their registry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pglast import ast

from migsafe.reverse._pgnodes import Unreadable
from migsafe.reverse.model import Reverse
from migsafe.reverse.raw_sql.alter import ALTER_MIRRORS
from migsafe.reverse.raw_sql.create import CREATE_MIRRORS
from migsafe.reverse.raw_sql.drop import DROP_MIRRORS
from migsafe.reverse.raw_sql.enum import ENUM_MIRRORS
from migsafe.reverse.raw_sql.inert import (
    INERT,
    reverse_create_extension,
    reverse_inert,
    reverse_select,
)
from migsafe.reverse.raw_sql.policy import reverse_create_policy
from migsafe.reverse.reflect import Live

Mirror = Callable[[Any, Live], Reverse]


def _session_setting(node: ast.VariableSetStmt, live: Live) -> Reverse:
    """SET/RESET change the session, not the schema: nothing to undo."""
    return Reverse.nothing()


_MIRRORS: dict[type, Mirror] = {
    **CREATE_MIRRORS,
    **ALTER_MIRRORS,
    **DROP_MIRRORS,
    **ENUM_MIRRORS,
    ast.VariableSetStmt: _session_setting,
    **dict.fromkeys(INERT, reverse_inert),
    ast.SelectStmt: reverse_select,
    ast.CreateExtensionStmt: reverse_create_extension,
    ast.CreatePolicyStmt: reverse_create_policy,
}

#: Statement kinds that have a mirror (whether a given statement is reversible still depends
#: on the live schema and its details).
MIRRORED = frozenset(_MIRRORS)


def mirror(node: Any, live: Live) -> Reverse:
    """The reverse of one parsed DDL statement, through the operation it amounts to."""
    handler = _MIRRORS.get(type(node))
    if handler is None:
        return Reverse.refused(f"{type(node).__name__} statements are not mirrored")
    try:
        return handler(node, live)
    except Unreadable:
        return Reverse.refused(f"a {type(node).__name__} the reverse generator could not read")
