"""``reverse_of``: which module undoes which Alembic operation.

The registry is explicit, one entry per operation class; subclasses (``CreateUniqueConstraintOp``
is an ``AddConstraintOp``) find their handler through the class hierarchy. An operation nobody
handles is reported irreversible, never guessed at.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic.operations import ops

from migsafe.reverse.alter_column import reverse_alter_column
from migsafe.reverse.columns import reverse_add_column, reverse_drop_column
from migsafe.reverse.constraints import reverse_add_constraint, reverse_drop_constraint
from migsafe.reverse.data import reverse_bulk_insert
from migsafe.reverse.indexes import reverse_create_index, reverse_drop_index
from migsafe.reverse.model import Reverse
from migsafe.reverse.raw_sql import reverse_execute
from migsafe.reverse.reflect import Live
from migsafe.reverse.sqlite.generate import reverse_of_sqlite
from migsafe.reverse.tables import (
    reverse_create_table,
    reverse_drop_table,
    reverse_rename_table,
    reverse_table_comment,
)

#: Where archived columns and tables go unless the caller says otherwise.
DEFAULT_ARCHIVE_SCHEMA = "migsafe_archive"

Handler = Callable[[Any, Live], Reverse]

HANDLERS: dict[type[ops.MigrateOperation], Handler] = {
    ops.AddColumnOp: reverse_add_column,
    ops.DropColumnOp: reverse_drop_column,
    ops.AlterColumnOp: reverse_alter_column,
    ops.CreateTableOp: reverse_create_table,
    ops.DropTableOp: reverse_drop_table,
    ops.RenameTableOp: reverse_rename_table,
    ops.CreateTableCommentOp: reverse_table_comment,
    ops.DropTableCommentOp: reverse_table_comment,
    ops.CreateIndexOp: reverse_create_index,
    ops.DropIndexOp: reverse_drop_index,
    ops.AddConstraintOp: reverse_add_constraint,
    ops.DropConstraintOp: reverse_drop_constraint,
    ops.BulkInsertOp: reverse_bulk_insert,
    ops.ExecuteSQLOp: reverse_execute,
}


def reverse_of(
    op: ops.MigrateOperation,
    conn: sa.Connection,
    *,
    archive_schema: str = DEFAULT_ARCHIVE_SCHEMA,
) -> Reverse:
    """How to undo *op*, computed from the live schema on *conn*.

    Call it just before *op* runs, inside the migration's transaction and on its connection:
    the reverse describes the schema as it is at that instant. It changes nothing (a type
    change's probe of the data runs in a savepoint, so even its failure leaves the transaction
    usable); the caller then runs ``reverse.archive``, then the operation, or
    ``reverse.replace_with`` instead of it, then ``reverse.finish`` when set (see
    :func:`migsafe.reverse.apply.apply_reversibly`). On SQLite, *archive_schema* is unused:
    archives are tables named ``migsafe_archive__...`` in the database itself.
    """
    if conn.dialect.name == "sqlite":
        return reverse_of_sqlite(op, conn)
    if conn.dialect.name != "postgresql":
        return Reverse.refused(f"reverse scripts for {conn.dialect.name} are not generated yet")
    for cls in type(op).__mro__:
        handler = HANDLERS.get(cls)
        if handler is not None:
            return handler(op, Live(conn, archive_schema))
    return Reverse.refused(f"{type(op).__name__} has no generated reverse")
