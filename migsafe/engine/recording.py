"""Record the Alembic operations each migration performs, as it applies them.

Captured operations are the shared currency of the plan, the history and (next) the reverse
generator: what a migration *did*, not what its source looks like. The hook is the
``Operations`` object Alembic installs as ``alembic.op`` for the run: migsafe wraps that one
instance's ``invoke`` (through which every ``op.*`` call passes) while a revision runs, and
unwraps it afterwards. Nothing global is patched, and a failure to describe an operation never
affects the migration.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

if TYPE_CHECKING:
    from migsafe.reverse.capture import ReverseCapture

MAX_SQL = 500


def describe(operation: Any) -> dict[str, Any]:
    """A JSON-able description of an Alembic operation object."""
    kind = type(operation).__name__
    out: dict[str, Any] = {"op": kind}
    for attr in (
        "schema",
        "table_name",
        "column_name",
        "index_name",
        "constraint_name",
        "new_table_name",
        "modify_name",
        "type_",
        "modify_type",
        "modify_nullable",
        "existing_type",
    ):
        value = getattr(operation, attr, None)
        if value is not None:
            out[attr.rstrip("_")] = str(value)
    column = getattr(operation, "column", None)
    if column is not None and hasattr(column, "name"):
        out["column"] = column.name
        out["type"] = str(column.type)
        out["nullable"] = bool(column.nullable)
    if kind == "ExecuteSQLOp":
        sql = getattr(operation, "sqltext", "")
        out["sql"] = str(sql)[:MAX_SQL]
    if kind == "BulkInsertOp":
        out["rows"] = len(getattr(operation, "rows", ()) or ())
        table = getattr(operation, "table", None)
        out["table"] = getattr(table, "name", None)
    if kind == "CreateTableOp":
        out["columns"] = [c.name for c in getattr(operation, "columns", ()) if hasattr(c, "type")]
    return out


def _recording_invoke(
    original: Any,
    seen: list[dict[str, Any]],
    *,
    batch: str | None = None,
    then: Callable[[Any], Any] | None = None,
    skip: Callable[[], bool] = lambda: False,
) -> Any:
    def invoke(operation: Any) -> Any:
        if skip():  # migsafe's own operations (a downgrade() under test): not the migration's
            return (then or original)(operation)
        with contextlib.suppress(Exception):  # describing must never break a migration
            entry = describe(operation)
            if batch is not None:
                entry["batch"] = batch
            seen.append(entry)
        return (then or original)(operation)

    return invoke


class Recorder:
    """Operations per revision, in the order they ran; with a :class:`ReverseCapture`, each one
    also runs the reversible way (reverse generated, data kept) as it is invoked."""

    def __init__(self, reverse: ReverseCapture | None = None) -> None:
        self.by_revision: dict[str, list[dict[str, Any]]] = {}
        self.reverse = reverse

    @contextlib.contextmanager
    def recording(self, revision: str, conn: sa.Connection | None = None) -> Iterator[None]:
        """While a revision runs, describe every operation it invokes."""
        from alembic import op as op_module

        operations = getattr(op_module, "_proxy", None)
        if operations is None or not hasattr(operations, "invoke"):
            yield
            return
        seen = self.by_revision.setdefault(revision, [])
        original = operations.invoke
        reverse = self.reverse if conn is not None else None
        reversible: Callable[[Any], Any] | None = None
        if reverse is not None:

            def reversible(operation: Any) -> Any:
                return reverse.invoke(revision, operation, operations, original)

        busy = (lambda: reverse.busy) if reverse is not None else (lambda: False)
        operations.invoke = _recording_invoke(original, seen, then=reversible, skip=busy)
        # op.batch_alter_table() makes a BatchOperations of its own; alembic.op holds the
        # bound method Alembic installed for this run, so that is the one to wrap.
        original_batch = getattr(op_module, "batch_alter_table", None)
        if original_batch is not None:

            @contextlib.contextmanager
            def batch_alter_table(*args: Any, **kwargs: Any) -> Iterator[Any]:
                with original_batch(*args, **kwargs) as batch_op:
                    table = args[0] if args else kwargs.get("table_name")
                    then = None
                    if reversible is not None and _runs_in_place(batch_op, kwargs):
                        # Nothing to recreate: each operation runs at once, the reversible
                        # way, instead of being queued for the end of the block.
                        then = reversible
                    elif reverse is not None and conn is not None:
                        # SQLite: each operation in a batch block of its own, flushed at once,
                        # so that its reverse is read off the table before and after it.
                        one = _one_op_batch(original_batch, args, kwargs, conn)

                        def then(operation: Any) -> Any:
                            return reverse.invoke(revision, operation, operations, one)

                        batch_op.impl.recreate = "auto"  # the block itself is left empty
                    batch_op.invoke = _recording_invoke(
                        batch_op.invoke, seen, batch=table, then=then, skip=busy
                    )
                    yield batch_op

            op_module.batch_alter_table = batch_alter_table
        watch = (
            reverse.revision(revision, conn)
            if reverse is not None and conn is not None
            else contextlib.nullcontext()
        )
        try:
            with watch:
                yield
        finally:
            # Remove the instance attribute: the class's invoke shows through again.
            with contextlib.suppress(AttributeError):
                del operations.invoke
            if original_batch is not None:
                op_module.batch_alter_table = original_batch

    def clear(self, revisions: list[str]) -> None:
        """Forget revisions whose transaction was rolled back (e.g. before a retry)."""
        for revision in revisions:
            self.by_revision.pop(revision, None)
        if self.reverse is not None:
            self.reverse.clear(revisions)


def _one_op_batch(
    original_batch: Any, args: tuple[Any, ...], kwargs: dict[str, Any], conn: sa.Connection
) -> Callable[[Any], Any]:
    """Run one operation in its own ``batch_alter_table`` block, like the user's.

    ``legacy_alter_table`` is on around it: Alembic's final RENAME of the rebuilt table fails
    on SQLite 3.26+ when a view or trigger names the table.
    """

    def run(operation: Any) -> Any:
        legacy = conn.exec_driver_sql("PRAGMA legacy_alter_table").scalar()
        conn.exec_driver_sql("PRAGMA legacy_alter_table = ON")
        try:
            with original_batch(*args, **kwargs) as batch:
                return batch.invoke(operation)
        finally:
            conn.exec_driver_sql(f"PRAGMA legacy_alter_table = {'ON' if legacy else 'OFF'}")

    return run


def _runs_in_place(batch_op: Any, kwargs: dict[str, Any]) -> bool:
    """A batch on PostgreSQL (without ``recreate="always"``) is plain ALTERs run at the end of
    the block; running each at once instead changes nothing but lets it be reversed."""
    impl = getattr(batch_op, "impl", None)
    dialect = getattr(getattr(impl, "operations", None), "impl", None)
    name = getattr(getattr(dialect, "dialect", None), "name", None)
    return name == "postgresql" and kwargs.get("recreate", "auto") != "always"
