"""Raw statements that leave nothing behind to undo, and CREATE EXTENSION.

Migrations run statements whose effect ends with the transaction or never touches the schema
or the rows: ``LOCK TABLE``, ``ANALYZE``/``VACUUM`` (statistics and free space), ``NOTIFY``,
``SHOW``, and ``SELECT``s that only read or call functions with no lasting effect (an
advisory lock, a setting, ``pg_sleep``). Their reverse is nothing. Refusing them as
irreversible would send perfectly ordinary migrations to a snapshot.

``setval``/``nextval`` move a sequence: the reverse does not move it back, and need not,
since no revert needs a sequence to go backwards (fingerprints leave sequence positions out
for the same reason); the reverse notes it.
"""

from __future__ import annotations

from typing import Any

from pglast import ast

from migsafe.reverse._pgnodes import walk
from migsafe.reverse._sql import statement
from migsafe.reverse.model import Reverse
from migsafe.reverse.reflect import Live

#: Statements with no lasting effect on the schema or the data.
INERT: frozenset[type] = frozenset(
    {
        ast.LockStmt,
        ast.NotifyStmt,
        ast.ListenStmt,
        ast.UnlistenStmt,
        ast.VariableShowStmt,
        ast.DiscardStmt,
        ast.CheckPointStmt,
        ast.VacuumStmt,
    }
)

# Functions a SELECT may call without changing the schema or the rows (aggregates and the
# usual scalar functions read; these act on the session, the transaction or sequences).
_HARMLESS_FUNCTIONS = frozenset(
    {
        "count",
        "max",
        "min",
        "sum",
        "avg",
        "coalesce",
        "lower",
        "upper",
        "length",
        "now",
        "current_setting",
        "set_config",
        "current_database",
        "current_schema",
        "current_user",
        "session_user",
        "version",
        "pg_backend_pid",
        "txid_current",
        "pg_current_xact_id",
        "pg_sleep",
        "pg_advisory_lock",
        "pg_advisory_unlock",
        "pg_advisory_xact_lock",
        "pg_try_advisory_lock",
        "pg_try_advisory_xact_lock",
        "pg_notify",
        "to_regclass",
        "format",
        "quote_ident",
        "quote_literal",
        "concat",
    }
)
_SEQUENCE_FUNCTIONS = frozenset({"setval", "nextval"})


def _function_names(node: Any) -> set[str]:
    names = set()
    for sub in walk(node):
        if isinstance(sub, ast.FuncCall):
            parts = [getattr(p, "sval", "") for p in sub.funcname or ()]
            if parts[:-1] in ([], ["pg_catalog"]):
                names.add(parts[-1].lower())
            else:
                names.add(".".join(parts))  # a schema-qualified user function: not harmless
    return names


def harmless_select(node: ast.SelectStmt) -> str | None:
    """None when *node* may change something; else '' or a caveat (it moves a sequence)."""
    if node.intoClause is not None:
        return None  # SELECT ... INTO creates a table
    for sub in walk(node):
        if isinstance(sub, ast.InsertStmt | ast.UpdateStmt | ast.DeleteStmt | ast.MergeStmt):
            return None  # a data-modifying CTE
    names = _function_names(node)
    if not names <= _HARMLESS_FUNCTIONS | _SEQUENCE_FUNCTIONS:
        return None
    if names & _SEQUENCE_FUNCTIONS:
        return "a sequence it moved stays where it is (no revert needs it to go back)"
    return ""


def reverse_inert(node: Any, live: Live) -> Reverse:
    """Nothing to undo."""
    return Reverse.nothing()


def reverse_select(node: ast.SelectStmt, live: Live) -> Reverse:
    caveat = harmless_select(node)
    if caveat is None:
        return Reverse.refused("a SELECT may call functions that change data")
    return Reverse(caveats=(caveat,)) if caveat else Reverse.nothing()


def reverse_create_extension(node: ast.CreateExtensionStmt, live: Live) -> Reverse:
    """DROP EXTENSION, unless it was there already (then IF NOT EXISTS makes it a no-op)."""
    import sqlalchemy as sa
    from psycopg import sql

    present = live.conn.execute(
        sa.text("SELECT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = :n)"),
        {"n": node.extname},
    ).scalar()
    if present:
        if node.if_not_exists:
            return Reverse.nothing()
        return Reverse.refused(f"extension {node.extname} exists: CREATE EXTENSION would fail")
    return Reverse(ops=(statement("DROP EXTENSION {}", sql.Identifier(str(node.extname))),))
