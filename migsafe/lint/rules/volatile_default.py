"""volatile-default: ``ADD COLUMN`` that fills every existing row, rewriting the table.

Why: since PostgreSQL 11, ``ADD COLUMN ... DEFAULT <constant>`` only records the default in the
catalog. A volatile default (``random()``, ``gen_random_uuid()``, ``clock_timestamp()``,
``nextval()``...) must be computed per row, so the table is rewritten under ACCESS EXCLUSIVE;
so are ``serial``/``bigserial``/``smallserial`` (a ``nextval`` default), ``GENERATED ... AS
IDENTITY`` and ``GENERATED ALWAYS AS (...) STORED``. Below PostgreSQL 11 every non-NULL default
rewrites the table.

Instead: add the column without a default (or with a constant one), set the default for new
rows with ``ALTER COLUMN ... SET DEFAULT`` (no rewrite), backfill existing rows in batches.

Flagged: those defaults on an existing table. A function this rule does not know is looked up
in the live catalog (``provolatile``); offline it is a warning ("cannot tell").

Not flagged: constant, stable or immutable defaults on PostgreSQL 11+ (``now()``,
``CURRENT_TIMESTAMP``, ``'x'``, ``0``, ``false``, ``'a'::text``): evaluated once, stored in
``pg_attribute.attmissingval``; ``DEFAULT NULL``; ``ALTER COLUMN ... SET DEFAULT`` (only
affects future rows); ``GENERATED ALWAYS AS (...) VIRTUAL`` (PostgreSQL 18, computed on read);
any column of a table created earlier in the run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pglast import ast

from migsafe.lint.context import Context
from migsafe.lint.model import Hit, Rule, Severity, Statement
from migsafe.lint.patterns import CONSTR, added_column, alter_commands, constraints
from migsafe.lint.sqltext import func_name, strings, walk

_SERIALS = {"serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"}
# Volatile built-ins and extension functions (pg_proc.provolatile = 'v').
VOLATILE = {
    "random",
    "random_normal",
    "setseed",
    "gen_random_uuid",
    "gen_random_bytes",
    "uuidv4",
    "uuidv7",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "clock_timestamp",
    "timeofday",
    "nextval",
    "currval",
    "lastval",
    "setval",
}
# Stable or immutable functions common in defaults: evaluated once for the whole table.
NOT_VOLATILE = {
    "now",
    "transaction_timestamp",
    "statement_timestamp",
    "current_setting",
    "current_database",
    "current_schema",
    "lower",
    "upper",
    "md5",
    "concat",
    "length",
    "btrim",
    "trim",
    "replace",
    "substring",
    "abs",
    "round",
    "date_trunc",
    "timezone",
    "to_char",
    "to_date",
    "to_timestamp",
    "make_date",
    "make_interval",
    "make_timestamp",
    "make_timestamptz",
    "json_build_object",
    "jsonb_build_object",
    "json_build_array",
    "jsonb_build_array",
    "to_json",
    "to_jsonb",
    "array_fill",
}


def check(stmt: Statement, ctx: Context) -> Iterator[Hit]:
    for table, cmd in alter_commands(stmt.node):
        column = added_column(cmd)
        if column is None or ctx.is_new_table(table):
            continue
        hit = _judge(column, table, stmt, ctx)
        if hit is not None:
            yield hit


def _judge(column: ast.ColumnDef, table: str, stmt: Statement, ctx: Context) -> Hit | None:
    where = f"{table}.{column.colname}"
    rewrite = f"rewrites {table} under ACCESS EXCLUSIVE"
    type_name = strings(column.typeName.names)[-1:] if column.typeName else []
    if type_name and type_name[0].lower() in _SERIALS:
        return Hit(
            f"ADD COLUMN {where} {type_name[0]} fills every row from a sequence: {rewrite}",
            stmt.line,
            table,
        )
    for con in constraints(column):
        if con.contype == CONSTR.CONSTR_IDENTITY:
            return Hit(
                f"ADD COLUMN {where} AS IDENTITY numbers every row: {rewrite}", stmt.line, table
            )
        if con.contype == CONSTR.CONSTR_GENERATED and con.generated_kind != "v":
            return Hit(
                f"ADD COLUMN {where} GENERATED ... STORED computes every row: {rewrite}",
                stmt.line,
                table,
            )
        if con.contype == CONSTR.CONSTR_DEFAULT and not _is_null(con.raw_expr):
            return _default(con.raw_expr, where, table, rewrite, stmt, ctx)
    return None


def _default(
    expr: Any, where: str, table: str, rewrite: str, stmt: Statement, ctx: Context
) -> Hit | None:
    if ctx.server_version < 110000:
        return Hit(
            f"ADD COLUMN {where} with a DEFAULT {rewrite} (before PostgreSQL 11 every non-NULL "
            "default is written to every row)",
            stmt.line,
            table,
        )
    unknown: list[str] = []
    for node in walk(expr):
        if not isinstance(node, ast.FuncCall):
            continue
        name = func_name(node).removeprefix("pg_catalog.")
        if name in VOLATILE:
            return Hit(
                f"ADD COLUMN {where} DEFAULT {name}() is volatile: {rewrite}", stmt.line, table
            )
        if name in NOT_VOLATILE:
            continue
        volatility = ctx.volatility(name)
        if volatility == "v":
            return Hit(
                f"ADD COLUMN {where} DEFAULT {name}() is volatile: {rewrite}", stmt.line, table
            )
        if volatility is None:
            unknown.append(name)
    if unknown:
        return Hit(
            f"ADD COLUMN {where} DEFAULT {unknown[0]}(): cannot tell offline whether it is "
            f"volatile (then it {rewrite})",
            stmt.line,
            table,
            Severity.WARNING,
        )
    return None


def _is_null(expr: Any) -> bool:
    if isinstance(expr, ast.TypeCast):
        expr = expr.arg
    return isinstance(expr, ast.A_Const) and bool(expr.isnull)


RULE = Rule(
    id="volatile-default",
    severity=Severity.ERROR,
    summary="ADD COLUMN with a volatile default, serial, identity or stored generated column",
    why="every existing row gets its own value: the table is rewritten under ACCESS EXCLUSIVE",
    fix=(
        "add the column without the volatile default, then set it for new rows and backfill:\n"
        "    op.add_column('t', sa.Column('c', sa.Uuid(), nullable=True))\n"
        "    op.alter_column('t', 'c', server_default=sa.text('gen_random_uuid()'))\n"
        "    # backfill existing rows in batches: UPDATE t SET c = gen_random_uuid()\n"
        "    #   WHERE id BETWEEN :lo AND :hi AND c IS NULL"
    ),
    on_statement=check,
)
