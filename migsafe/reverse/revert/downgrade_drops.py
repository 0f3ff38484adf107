"""What a ``downgrade()`` deletes: the columns and tables it drops that hold data now.

A generated reverse keeps what undoing an added column or a created table would destroy (it
is moved to the archive). A migration's own ``downgrade()`` just drops them, with every value
written since the upgrade. So before a revert runs a ``downgrade()`` (``--use-downgrade``, or
a revision that has no usable generated reverse), its source is read for ``drop_column`` and
``drop_table`` calls with literal names (``op.drop_column("t", "c")``, and ``drop_column``
inside ``with op.batch_alter_table("t") as batch_op``), and the live rows that hold data
there are counted: the plan names each, and the confirmation asks for it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa


@dataclass(frozen=True)
class Drop:
    """A column (or, with ``column`` None, a table) a downgrade() drops."""

    table: str
    column: str | None = None
    schema: str | None = None

    @property
    def name(self) -> str:
        parts = [self.schema, self.table, self.column]
        return ".".join(p for p in parts if p)


def drops_in(path: str | Path) -> list[Drop]:
    """The literal drops in the ``downgrade()`` of the revision file at *path*."""
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8", errors="replace"))
    except (OSError, SyntaxError):
        return []
    function = next(
        (
            n
            for n in tree.body
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == "downgrade"
        ),
        None,
    )
    if function is None:
        return []
    visitor = _Drops()
    visitor.visit(function)
    return list(dict.fromkeys(visitor.found))


def _text(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _arg(call: ast.Call, index: int, keyword: str) -> str | None:
    if len(call.args) > index:
        return _text(call.args[index])
    return _text(next((k.value for k in call.keywords if k.arg == keyword), None))


class _Drops(ast.NodeVisitor):
    def __init__(self) -> None:
        self.batches: dict[str, tuple[str, str | None]] = {}  # with-alias -> (table, schema)
        self.found: list[Drop] = []

    def visit_With(self, node: ast.With) -> None:
        saved = dict(self.batches)
        for item in node.items:
            call, alias = item.context_expr, item.optional_vars
            if (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and call.func.attr == "batch_alter_table"
                and isinstance(alias, ast.Name)
            ):
                table = _arg(call, 0, "table_name")
                if table is not None:
                    self.batches[alias.id] = (table, _arg(call, 99, "schema"))
        self.generic_visit(node)
        self.batches = saved

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            owner, name = func.value.id, func.attr
            schema = _arg(node, 99, "schema")
            if owner in self.batches and name == "drop_column":
                table, batch_schema = self.batches[owner]
                column = _arg(node, 0, "column_name")
                if column is not None:
                    self.found.append(Drop(table, column, batch_schema))
            elif owner == "op" and name == "drop_column":
                named, dropped = _arg(node, 0, "table_name"), _arg(node, 1, "column_name")
                if named is not None and dropped is not None:
                    self.found.append(Drop(named, dropped, schema))
            elif owner == "op" and name == "drop_table":
                named = _arg(node, 0, "table_name")
                if named is not None:
                    self.found.append(Drop(named, None, schema))
        self.generic_visit(node)


def with_data(conn: sa.Connection, drops: Iterable[Drop]) -> list[tuple[Drop, int]]:
    """The drops whose column or table holds data now, with how many rows; what does not
    exist now (a later revision of the revert brings it back) is not counted."""
    out = []
    inspector = sa.inspect(conn)
    for drop in drops:
        try:
            if not inspector.has_table(drop.table, schema=drop.schema):
                continue
            table = sa.table(drop.table, schema=drop.schema)
            query = sa.select(sa.func.count()).select_from(table)
            if drop.column is not None:
                columns = {c["name"] for c in inspector.get_columns(drop.table, drop.schema)}
                if drop.column not in columns:
                    continue
                query = query.where(sa.column(drop.column).is_not(None))
            rows = int(conn.execute(query).scalar() or 0)
        except sa.exc.DBAPIError:
            continue  # a best-effort look, on an autocommit connection
        if rows:
            out.append((drop, rows))
    return out


def describe_loss(revision: str, found: list[tuple[Drop, int]]) -> str:
    """One warning line for a revision's data-deleting downgrade()."""
    parts = [
        f"{drop.name} ({rows} row(s) {'with a value' if drop.column else ''})".replace(" )", ")")
        for drop, rows in found
    ]
    return f"{revision}: its downgrade() deletes data: drops {', '.join(parts)}"
