"""Column types as PostgreSQL compares them when ``ALTER COLUMN ... TYPE`` changes one.

PostgreSQL skips the table rewrite when the old type is binary coercible to the new one and
the length coercion, if any, is a no-op its planner support function can prove (``varchar``,
``numeric``, ``varbit``, ``timestamp``/``timestamptz``/``time``/``timetz``, ``interval``:
``ATColumnChangeRequiresRewrite`` in tablecmds.c). Everything else rewrites.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pglast import ast

from migsafe.lint.sqltext import parse_one, strings

# Binary-coercible casts (pg_cast.castmethod = 'b') that ALTER COLUMN TYPE meets in practice;
# bpchar -> text/varchar is not one of them (it trims trailing blanks: rtrim1).
_BINARY = {
    ("varchar", "text"),
    ("text", "varchar"),
    ("cidr", "inet"),
    ("bit", "varbit"),
    ("xml", "text"),
}
# Types whose length coercion has a planner support function proving "no change" (PG 9.2+).
_TEMPORAL = {"timestamp", "timestamptz", "time", "timetz"}
_MAX_TEMPORAL_PRECISION = 6
_INTERVAL_FULL_RANGE = 32767
# How messages spell the internal names pglast gives.
_SPELLING = {
    "int2": "smallint",
    "int4": "integer",
    "int8": "bigint",
    "bpchar": "char",
    "float4": "real",
    "float8": "double precision",
    "bool": "boolean",
}


@dataclass(frozen=True)
class PgType:
    name: str  # "varchar", "int4", "myschema.mood": pg_catalog. dropped, lower case
    typmods: tuple[int, ...] | None  # None: unconstrained (varchar, numeric...)
    array: bool = False

    def __str__(self) -> str:
        mods = f"({','.join(map(str, self.typmods))})" if self.typmods else ""
        return f"{_SPELLING.get(self.name, self.name)}{mods}{'[]' if self.array else ''}"


def from_typename(node: ast.TypeName) -> PgType | None:
    names = strings(node.names)
    if not names or node.pct_type:
        return None
    if names[0] == "pg_catalog":
        names = names[1:]
    typmods: list[int] = []
    for mod in node.typmods or ():
        if isinstance(mod, ast.A_Const) and isinstance(mod.val, ast.Integer):
            typmods.append(mod.val.ival or 0)
        else:
            return None  # a typmod we cannot read
    return PgType(
        name=".".join(names).lower(),
        typmods=tuple(typmods) or None,
        array=bool(node.arrayBounds),
    )


def parse_type(text: str) -> PgType | None:
    """A type as SQL spells it (``character varying(50)``, ``NUMERIC(10, 2)``...)."""
    parsed = parse_one(f"SELECT NULL::{text}")
    if len(parsed) != 1:
        return None
    node = parsed[0][1]
    try:
        cast = node.targetList[0].val
    except (AttributeError, IndexError, TypeError):
        return None
    if not isinstance(cast, ast.TypeCast) or cast.typeName is None:
        return None
    return from_typename(cast.typeName)


def sqlalchemy_type(type_: Any) -> PgType | None:
    """An Alembic ``existing_type`` (a SQLAlchemy type) as PostgreSQL would name it."""
    if type_ is None:
        return None
    from sqlalchemy.dialects import postgresql

    try:
        text = str(type_.compile(dialect=postgresql.dialect()))  # type: ignore[no-untyped-call]
    except Exception:  # a type the dialect cannot render: as good as unknown
        return None
    return parse_type(text)


def rewrites(old: PgType, new: PgType) -> bool:
    """Whether ``ALTER COLUMN TYPE`` from ``old`` to ``new`` (no USING) rewrites the table."""
    if old.array != new.array:
        return True
    if old.name == new.name:
        return old.typmods != new.typmods and not _widening(old, new)
    if (old.name, new.name) not in _BINARY:
        return True
    if old.array:  # element coercion of an array: only a plain relabel is free
        return new.typmods is not None
    # After the relabel PostgreSQL applies the new type's length coercion, which is free only
    # when it has no limit to check.
    return new.typmods is not None


def _widening(old: PgType, new: PgType) -> bool:
    """Same type, a typmod PostgreSQL proves needs no change to stored values."""
    if old.array:
        return False  # ArrayCoerceExpr: PostgreSQL rewrites
    if old.name in ("varchar", "varbit"):
        return new.typmods is None or (old.typmods is not None and new.typmods[0] >= old.typmods[0])
    if old.name == "numeric":
        if new.typmods is None:
            return True
        if old.typmods is None:
            return False
        old_scale = old.typmods[1] if len(old.typmods) > 1 else 0
        new_scale = new.typmods[1] if len(new.typmods) > 1 else 0
        return new_scale == old_scale and new.typmods[0] >= old.typmods[0]
    if old.name in _TEMPORAL:
        if new.typmods is None or new.typmods[0] >= _MAX_TEMPORAL_PRECISION:
            return True
        return old.typmods is not None and old.typmods[0] <= new.typmods[0]
    if old.name == "interval":
        return _interval_widening(old.typmods, new.typmods)
    return False


def _interval_widening(old: tuple[int, ...] | None, new: tuple[int, ...] | None) -> bool:
    # Only the plain precision case is decided here: a change of the field range (YEAR TO
    # MONTH, DAY TO SECOND...) is treated as a rewrite.
    if new is None:
        return True
    old_range, old_precision = (_INTERVAL_FULL_RANGE, _MAX_TEMPORAL_PRECISION)
    if old is not None:
        old_range = old[0]
        old_precision = old[1] if len(old) > 1 else _MAX_TEMPORAL_PRECISION
    new_range = new[0]
    new_precision = new[1] if len(new) > 1 else _MAX_TEMPORAL_PRECISION
    if new_range != _INTERVAL_FULL_RANGE or old_range != _INTERVAL_FULL_RANGE:
        return False
    return new_precision >= old_precision
