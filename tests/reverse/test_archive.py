"""What archives keep, where, and what a revert does with writes made after the upgrade."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from alembic.operations import ops

from migsafe.reverse import (
    ColumnArchive,
    RestoreArchiveOp,
    TableArchive,
    restore_archive,
    reverse_of,
    reverse_script,
)
from migsafe.reverse.apply import apply_reversibly, undo
from migsafe.reverse.archive import MAX_IDENTIFIER_BYTES, archive_name, prefixed_name
from tests.reverse.conftest import (
    assert_same_but_column_order,
    operations_for,
    snapshot,
)


def test_writes_after_dropping_a_column_survive_the_revert(conn: sa.Connection) -> None:
    """Rows inserted or updated between upgrade and revert are kept, in the old shape: new
    rows get the re-created column's default (here NULL), old rows their archived value."""
    bodies = dict(conn.exec_driver_sql("SELECT id, body FROM items").all())
    operations = operations_for(conn)
    reverses = apply_reversibly(ops.DropColumnOp("items", "body"), operations)
    conn.exec_driver_sql("INSERT INTO items (id, title) VALUES (100, 'after the upgrade')")
    conn.exec_driver_sql("UPDATE items SET title = 'edited' WHERE id = 2")
    _as_if_committed(conn)
    undo(reverses, operations_for(conn))
    rows = dict(conn.exec_driver_sql("SELECT id, body FROM items").all())
    assert rows == {**bodies, 100: None}
    assert conn.exec_driver_sql("SELECT title FROM items WHERE id = 2").scalar() == "edited"


def test_rows_added_after_a_lossy_type_change_are_converted_back(conn: sa.Connection) -> None:
    """Archived rows get their exact old value (99999999.9999 no longer fits once rounded);
    rows written since are cast back."""
    before = dict(conn.exec_driver_sql("SELECT id, price FROM items").all())
    operations = operations_for(conn)
    op = ops.AlterColumnOp("items", "price", modify_type=sa.Numeric(12, 2))
    reverses = apply_reversibly(op, operations)
    assert [type(a) for r in reverses for a in r.archive] == [ColumnArchive]
    conn.exec_driver_sql("INSERT INTO items (id, price) VALUES (100, 5.55)")
    _as_if_committed(conn)
    undo(reverses, operations_for(conn))
    after = dict(conn.exec_driver_sql("SELECT id, price FROM items").all())
    assert after == {**before, 100: Decimal("5.5500")}


def _as_if_committed(conn: sa.Connection) -> None:
    """The app's writes commit before a revert starts; here they share the test's
    transaction, so run their deferred foreign-key checks now, as COMMIT would."""
    conn.exec_driver_sql("SET CONSTRAINTS ALL IMMEDIATE")


def test_a_widening_type_change_keeps_no_archive(conn: sa.Connection) -> None:
    rev = reverse_of(ops.AlterColumnOp("items", "rank", modify_type=sa.BigInteger), conn)
    assert rev.archive == () and rev.irreversible is None


def test_reverting_an_added_column_keeps_the_values_written_since(conn: sa.Connection) -> None:
    """The reverse of add_column, as captured for a run, copies the values written since the
    upgrade into the archive (keyed by primary key) before it drops the column."""
    operations = operations_for(conn)
    forward = apply_reversibly(ops.AddColumnOp("items", sa.Column("score", sa.Integer)), operations)
    conn.exec_driver_sql("UPDATE items SET score = id * 10 WHERE mod(id, 2) = 0")
    written = set(conn.exec_driver_sql("SELECT id, score FROM items WHERE score IS NOT NULL"))
    assert written

    undo(forward, operations_for(conn))

    columns = conn.exec_driver_sql(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = 'items'"
    )
    assert "score" not in {name for (name,) in columns}
    (archived,) = conn.exec_driver_sql(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'migsafe_archive' AND table_name LIKE '%%score%%'"
    ).all()
    kept = conn.exec_driver_sql(f'SELECT id, score FROM migsafe_archive."{archived[0]}"')
    assert set(kept) == written


def test_a_dropped_table_is_moved_not_dropped(conn: sa.Connection) -> None:
    count = conn.exec_driver_sql("SELECT count(*) FROM logs").scalar()
    reverses = apply_reversibly(ops.DropTableOp("logs"), operations_for(conn))
    (action,) = [a for r in reverses for a in r.archive]
    assert isinstance(action, TableArchive) and action.archive_schema == "migsafe_archive"
    archived = f'migsafe_archive."{action.archive_table}"'
    assert conn.exec_driver_sql(f"SELECT count(*) FROM {archived}").scalar() == count
    assert conn.exec_driver_sql("SELECT to_regclass('public.logs')").scalar() is None
    # While archived, it enforces nothing on live tables: no cascade reaches into it.
    conn.exec_driver_sql("DELETE FROM notes WHERE item_id = 1; DELETE FROM items WHERE id = 1")
    assert conn.exec_driver_sql(f"SELECT count(*) FROM {archived}").scalar() == count


def test_the_same_table_can_be_archived_twice(conn: sa.Connection) -> None:
    """Index, constraint and sequence names must be unique in the archive schema: a table
    dropped, re-created under the same names and dropped again must not collide."""
    before = snapshot(conn)
    operations = operations_for(conn)
    reverses = []
    for op in (
        ops.DropTableOp("logs"),
        ops.ExecuteSQLOp(
            "CREATE TABLE logs (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, msg text)"
        ),
        ops.CreateIndexOp("logs_msg", "logs", ["msg"]),
        ops.DropTableOp("logs"),
    ):
        reverses += apply_reversibly(op, operations)
    archived = conn.exec_driver_sql(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'migsafe_archive'"
    ).scalar()
    assert archived == 2
    undo(reverses, operations_for(conn))
    assert snapshot(conn).fp == before.fp


def test_column_archive_keeps_key_and_value_with_user_types_as_text(conn: sa.Connection) -> None:
    (rev,) = apply_reversibly(ops.DropColumnOp("items", "mood"), operations_for(conn))
    (action,) = rev.archive
    assert isinstance(action, ColumnArchive)
    assert [k.name for k in action.keys] == ["id"]
    assert action.value.as_text and action.value.type_sql == "public.mood"
    assert action.triggers == (("items_touch", "O"),)
    kept = conn.exec_driver_sql(
        f'SELECT id, mood FROM migsafe_archive."{action.archive_table}" WHERE id < 5 ORDER BY id'
    ).all()
    assert kept == [(1, "happy"), (2, "sad"), (3, "ökö"), (4, None)]


def test_archive_names_fit_postgres_identifiers() -> None:
    long = "tåble_" * 20
    name = archive_name((long, "çolumn_" * 20), "0123456789ab")
    assert len(name.encode()) <= MAX_IDENTIFIER_BYTES and name.endswith("__0123456789ab")
    assert len(prefixed_name(long, "0123456789ab").encode()) <= MAX_IDENTIFIER_BYTES
    assert archive_name(("items", "body"), "0123456789ab") == "items__body__0123456789ab"


def test_restore_archive_is_what_the_restore_operation_runs(conn: sa.Connection) -> None:
    """A runner may restore archives itself: ``restore_archive`` at the restore step gives
    the same result as invoking the script's ``RestoreArchiveOp``."""
    before = snapshot(conn)
    operations = operations_for(conn)
    reverses = []
    for op in (ops.DropTableOp("logs"), ops.DropColumnOp("items", "code")):
        reverses += apply_reversibly(op, operations)
    for op in reverse_script(reverses):
        if isinstance(op, RestoreArchiveOp):
            restore_archive(op.action, conn)
        else:
            operations.invoke(op)
    assert_same_but_column_order(before, snapshot(conn), "public.items", "code")
