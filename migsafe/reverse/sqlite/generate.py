"""``reverse_of_sqlite``: which module undoes which Alembic operation on SQLite.

The same explicit registry as the PostgreSQL side; an operation nobody handles is reported
irreversible. Only the ``main`` database is handled (attached databases are refused).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic.operations import ops

from migsafe.reverse.model import Reverse
from migsafe.reverse.sqlite._sql import fold
from migsafe.reverse.sqlite.alter_column import reverse_alter_column
from migsafe.reverse.sqlite.columns import reverse_add_column, reverse_drop_column
from migsafe.reverse.sqlite.constraints import reverse_add_constraint, reverse_drop_constraint
from migsafe.reverse.sqlite.data import reverse_bulk_insert
from migsafe.reverse.sqlite.indexes import reverse_create_index, reverse_drop_index
from migsafe.reverse.sqlite.raw_sql import reverse_execute
from migsafe.reverse.sqlite.tables import (
    reverse_create_table,
    reverse_drop_table,
    reverse_rename_table,
)

Handler = Callable[[Any, sa.Connection], Reverse]


def _no_comments(op: ops.MigrateOperation, conn: sa.Connection) -> Reverse:
    """SQLite has no comments: Alembic emits nothing for them."""
    return Reverse.nothing()


HANDLERS: dict[type[ops.MigrateOperation], Handler] = {
    ops.AddColumnOp: reverse_add_column,
    ops.DropColumnOp: reverse_drop_column,
    ops.AlterColumnOp: reverse_alter_column,
    ops.CreateTableOp: reverse_create_table,
    ops.DropTableOp: reverse_drop_table,
    ops.RenameTableOp: reverse_rename_table,
    ops.CreateTableCommentOp: _no_comments,
    ops.DropTableCommentOp: _no_comments,
    ops.CreateIndexOp: reverse_create_index,
    ops.DropIndexOp: reverse_drop_index,
    ops.AddConstraintOp: reverse_add_constraint,
    ops.DropConstraintOp: reverse_drop_constraint,
    ops.BulkInsertOp: reverse_bulk_insert,
    ops.ExecuteSQLOp: reverse_execute,
}


def reverse_of_sqlite(op: ops.MigrateOperation, conn: sa.Connection) -> Reverse:
    """How to undo *op* on SQLite (see :func:`migsafe.reverse.generate.reverse_of`)."""
    table = getattr(op, "table", None)
    schema = getattr(op, "schema", None) or getattr(table, "schema", None)
    if schema is not None and fold(schema) != "main":
        return Reverse.refused(f"operations on attached database {schema} are not reversed")
    for cls in type(op).__mro__:
        handler = HANDLERS.get(cls)
        if handler is not None:
            return handler(op, conn)
    return Reverse.refused(f"{type(op).__name__} has no generated reverse")
