"""Raw row-level security statements: ``ALTER TABLE ... ROW LEVEL SECURITY``, ``CREATE
POLICY`` and ``DROP POLICY``, undone from what the catalogs say before they run.

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
from migsafe.reverse.reflect import Live, pinned_search_path, relation

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


_POLICY_DEF = sa.text(
    """SELECT p.polpermissive, p.polcmd,
        ARRAY(SELECT CASE WHEN r = 0 THEN 'PUBLIC'
                          ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(r)) END
              FROM pg_catalog.unnest(p.polroles) r),
        pg_catalog.pg_get_expr(p.polqual, p.polrelid),
        pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid),
        pg_catalog.obj_description(p.oid, 'pg_policy')
    FROM pg_catalog.pg_policy p WHERE p.polrelid = :oid AND p.polname = :name"""
)
_COMMANDS = {"*": "ALL", "r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE"}


def reverse_drop_policy(parts: list[str], missing_ok: bool, live: Live) -> Reverse:
    """Re-create the policy from ``pg_policy``: kind, command, roles, both expressions and
    its comment (read under a pinned search_path, so names in them come qualified)."""
    *qualifier, table_name, name = parts
    table = relation(live.conn, table_name, qualifier[-1] if qualifier else None)
    if table is None:
        if missing_ok:
            return Reverse.nothing()
        return Reverse.refused(f"table {table_name} does not exist")
    with pinned_search_path(live.conn):
        row = live.conn.execute(_POLICY_DEF, {"oid": table.oid, "name": name}).first()
    if row is None:
        return Reverse.nothing() if missing_ok else Reverse.refused(f"policy {name} does not exist")
    permissive, command, roles, qual, check, comment = row
    template = "CREATE POLICY {} ON {} AS {} FOR {} TO {}"
    args: list[sql.Composable | str] = [
        sql.Identifier(name),
        ident(table.schema, table.name),
        "PERMISSIVE" if permissive else "RESTRICTIVE",
        _COMMANDS[command],
        ", ".join(roles),
    ]
    if qual is not None:
        template += " USING ({})"
        args.append(qual)
    if check is not None:
        template += " WITH CHECK ({})"
        args.append(check)
    out = [statement(template, *args)]
    if comment is not None:
        target = [sql.Identifier(name), ident(table.schema, table.name)]
        out.append(statement("COMMENT ON POLICY {} ON {} IS {}", *target, sql.Literal(comment)))
    return Reverse(ops=tuple(out))
