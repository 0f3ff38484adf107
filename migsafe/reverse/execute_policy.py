"""Raw row-level security statements: ``ALTER TABLE ... ROW LEVEL SECURITY`` and
``CREATE POLICY``, undone from what the catalogs say before they run.

Redash (fa68605eb530) enables RLS on a table and creates its policies with ``op.execute``.
"""

from __future__ import annotations

import sqlalchemy as sa
from pglast import ast
from pglast.enums import AlterTableType
from psycopg import sql

from migsafe.reverse._pgnodes import need, rel
from migsafe.reverse._sql import ident, statement
from migsafe.reverse.model import Reverse
from migsafe.reverse.reflect import Live, relation

# Each sub-command, the pg_class flag it sets, the value, and the statement that undoes it.
ROW_SECURITY = {
    AlterTableType.AT_EnableRowSecurity: ("relrowsecurity", True, "DISABLE"),
    AlterTableType.AT_DisableRowSecurity: ("relrowsecurity", False, "ENABLE"),
    AlterTableType.AT_ForceRowSecurity: ("relforcerowsecurity", True, "NO FORCE"),
    AlterTableType.AT_NoForceRowSecurity: ("relforcerowsecurity", False, "FORCE"),
}

_FLAGS = sa.text(
    "SELECT relrowsecurity, relforcerowsecurity FROM pg_catalog.pg_class WHERE oid = :oid"
)
_POLICY = sa.text("SELECT 1 FROM pg_catalog.pg_policy WHERE polrelid = :oid AND polname = :name")


def reverse_row_security(
    live: Live, schema: str | None, table_name: str, kind: AlterTableType
) -> Reverse:
    """Set the flag back to what it was; nothing when it already has the value."""
    table = relation(live.conn, table_name, schema)
    if table is None:
        return Reverse.refused(f"table {table_name} does not exist")
    flag, value, undo = ROW_SECURITY[kind]
    row = live.conn.execute(_FLAGS, {"oid": table.oid}).one()
    if getattr(row, flag) == value:
        return Reverse.nothing()
    return Reverse(
        ops=(
            statement(
                f"ALTER TABLE {{}} {undo} ROW LEVEL SECURITY", ident(table.schema, table.name)
            ),
        )
    )


def reverse_create_policy(node: ast.CreatePolicyStmt, live: Live) -> Reverse:
    """Drop the policy again."""
    schema, table_name = rel(node.table)
    name = need(node.policy_name)
    table = relation(live.conn, table_name, schema)
    if table is None:
        return Reverse.failing(f"table {table_name} does not exist: CREATE POLICY")
    if live.conn.execute(_POLICY, {"oid": table.oid, "name": name}).first() is not None:
        return Reverse.failing(f"policy {name} exists on {table.name}: CREATE POLICY")
    drop = statement("DROP POLICY {} ON {}", sql.Identifier(name), ident(table.schema, table.name))
    return Reverse(ops=(drop,))
