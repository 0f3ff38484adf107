"""column-type-rewrite: ``ALTER COLUMN ... TYPE`` that rewrites an existing table.

Why: changing a column's type rewrites every row and rebuilds every index of the table under
ACCESS EXCLUSIVE: no reads, no writes, for as long as the rewrite takes.

Instead: add a column of the new type, backfill it in batches, switch the application to it,
drop the old one. Or change the type only in a way PostgreSQL does without a rewrite.

Flagged (the old type comes from the Alembic op's ``existing_type``, else an ``ADD COLUMN``
earlier in the run, else the live catalog):
a change between unrelated types (``int -> bigint``, ``int -> text``, ``varchar -> int``,
``text -> enum``, one enum to another), a narrowing typmod (``varchar(100) -> varchar(50)``,
``numeric(10,2) -> numeric(10,4)``), a new limit on an unconstrained column
(``text -> varchar(50)``), ``char(n)`` to anything else (``bpchar`` has no no-op length
coercion; ``char -> text`` trims blanks), and any ``USING`` that is more than the column
itself (cast to the new type). ``timestamp <-> timestamptz`` is a warning on PostgreSQL 12+
(no rewrite only when the session TimeZone is UTC), an error below. Without an old type
(no ``existing_type=``, no database) the change is a warning that says so.

Not flagged (binary coercible, no rewrite and no index rebuild, as PostgreSQL documents):
``varchar(n) -> varchar(m >= n)`` / ``varchar`` / ``text``, ``text -> varchar``,
``numeric(p,s) -> numeric(p2 >= p, s)`` / ``numeric``, ``varbit(n) -> varbit(m >= n)``,
``bit(n) -> varbit``, ``cidr -> inet``, ``xml -> text``, ``timestamp(p) / timestamptz(p) /
time(p) / timetz(p)`` to a precision ``>= p`` (or none), ``interval(p) -> interval(q >= p)``;
a table created earlier in the run. A column added earlier in the run to an existing table
is judged like any other: PostgreSQL rewrites the whole table for it, NULLs or not.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pglast import ast

from migsafe.lint.context import Context
from migsafe.lint.model import Hit, Rule, Severity, Statement
from migsafe.lint.patterns import AT, added_earlier, alter_commands
from migsafe.lint.pgtypes import PgType, from_typename, parse_type, rewrites, sqlalchemy_type
from migsafe.lint.sqltext import strings

_TZ = {"timestamp", "timestamptz"}


def check(stmt: Statement, ctx: Context) -> Iterator[Hit]:
    for table, cmd in alter_commands(stmt.node):
        if cmd.subtype != AT.AT_AlterColumnType or not isinstance(cmd.def_, ast.ColumnDef):
            continue
        column = cmd.name or ""
        if ctx.is_new_table(table) or cmd.def_.typeName is None:
            continue
        new = from_typename(cmd.def_.typeName)
        hit = _judge(stmt, ctx, table, column, new, cmd.def_.raw_default)
        if hit is not None:
            yield hit


def _judge(
    stmt: Statement, ctx: Context, table: str, column: str, new: PgType | None, using: Any
) -> Hit | None:
    where = f"{table}.{column}"
    lock = f"rewrites {table} and rebuilds its indexes under ACCESS EXCLUSIVE"
    if using is not None and not _plain_using(using, column, new):
        return Hit(f"ALTER COLUMN {where} TYPE {new} USING an expression {lock}", stmt.line, table)
    old = _old_type(stmt, ctx, table, column)
    if old is None or new is None:
        return Hit(
            f"ALTER COLUMN {where} TYPE {new or '?'} may rewrite {table} under ACCESS EXCLUSIVE: "
            "the old type is unknown (pass existing_type= to op.alter_column)",
            stmt.line,
            table,
            Severity.WARNING,
        )
    if {old.name, new.name} == _TZ and old.array == new.array:
        if ctx.server_version >= 120000:
            return Hit(
                f"ALTER COLUMN {where} TYPE {new} (was {old}) {lock} unless the session "
                "TimeZone is UTC",
                stmt.line,
                table,
                Severity.WARNING,
            )
        return Hit(f"ALTER COLUMN {where} TYPE {new} (was {old}) {lock}", stmt.line, table)
    if rewrites(old, new):
        return Hit(f"ALTER COLUMN {where} TYPE {new} (was {old}) {lock}", stmt.line, table)
    return None


def _old_type(stmt: Statement, ctx: Context, table: str, column: str) -> PgType | None:
    op = stmt.op_object
    if op is not None and (getattr(op, "column_name", None) or "").lower() == column.lower():
        found = sqlalchemy_type(getattr(op, "existing_type", None))
        if found is not None:
            return found
    added = added_earlier(ctx, table, column)
    if added is not None and added.typeName is not None:
        return from_typename(added.typeName)
    live = ctx.column_type(table, column)
    return parse_type(live) if live else None


def _plain_using(using: Any, column: str, new: PgType | None) -> bool:
    """``USING col`` or ``USING col::<new type>``: what PostgreSQL does without USING."""
    if isinstance(using, ast.TypeCast) and using.typeName is not None:
        if new is None or from_typename(using.typeName) != new:
            return False
        using = using.arg
    if isinstance(using, ast.ColumnRef):
        fields = strings(using.fields)
        return bool(fields) and fields[-1].lower() == column.lower()
    return False


RULE = Rule(
    id="column-type-rewrite",
    severity=Severity.ERROR,
    summary="ALTER COLUMN ... TYPE that rewrites an existing table",
    why="rewrites the table and rebuilds its indexes under ACCESS EXCLUSIVE (no reads or writes)",
    fix=(
        "add a new column, backfill it in batches, switch the code, then drop the old one:\n"
        "    op.add_column('t', sa.Column('c_new', sa.BigInteger(), nullable=True))\n"
        "    # backfill in batches (a later revision or a job), keep both in sync meanwhile\n"
        "    # then: op.drop_column('t', 'c'); op.alter_column('t', 'c_new', new_column_name='c')\n"
        "or widen without a rewrite: varchar(n) -> varchar(m>=n) / text, "
        "numeric(p,s) -> numeric(p2>=p,s)"
    ),
    on_statement=check,
)
