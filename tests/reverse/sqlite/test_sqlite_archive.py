"""What a destructive step destroys is kept, goes back on revert, and writes made in between
survive; a type change is archived exactly when SQLite would change a value."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa
from alembic.operations import ops

from migsafe.reverse import render_sql, reverse_script
from migsafe.reverse.sqlite.archive import archive_tables
from migsafe.reverse.sqlite.model import SqliteColumnArchive, SqliteTableArchive
from tests.reverse.sqlite.conftest import revert, snapshot, upgrade


def test_writes_between_upgrade_and_revert_survive(db: sa.Connection) -> None:
    """A row inserted in the new shape comes back with the dropped column's default; an
    updated row keeps the update and gets its archived value back."""
    before = snapshot(db)
    reverses = upgrade(db, lambda: [ops.DropColumnOp("items", "rank")], None)
    with db.begin():
        db.exec_driver_sql("INSERT INTO items (id, title) VALUES (1000, 'new ✓')")
        db.exec_driver_sql("UPDATE items SET body = 'changed' WHERE id = 3")
    revert(db, reverses)
    with db.begin():
        rows = db.exec_driver_sql(
            'SELECT id, body, "rank" FROM items WHERE id IN (3, 1000) ORDER BY id'
        ).all()
    assert rows == [(3, "changed", 30), (1000, None, 0)]  # 0: the column's default
    after = snapshot(db)
    assert after.fp.schema == before.fp.schema
    assert after.fp.row_counts["main.items"] == before.fp.row_counts["main.items"] + 1


def test_rows_added_since_a_lossy_type_change_are_converted_back(db: sa.Connection) -> None:
    reverses = upgrade(
        db, lambda: [ops.AlterColumnOp("notes", "txt", modify_type=sa.Integer)], "auto"
    )
    (action,) = reverses[0].archive
    assert isinstance(action, SqliteColumnArchive) and action.keys == ("id",)
    with db.begin():
        db.exec_driver_sql("INSERT INTO notes (id, txt) VALUES (500, 42)")
    revert(db, reverses)
    with db.begin():
        assert db.exec_driver_sql("SELECT txt, typeof(txt) FROM notes WHERE id = 500").one() == (
            "42",
            "text",
        )
        assert db.exec_driver_sql("SELECT txt FROM notes WHERE id = 1").scalar() == "note 1"


@pytest.mark.parametrize(
    ("table", "column", "new_type", "archived"),
    [
        ("notes", "txt", sa.Integer, True),  # CAST('note 1' AS INTEGER) is 0
        ("items", "price", sa.Integer, True),  # 12.3456 -> 12
        ("items", "rank", sa.Float, True),  # 9007199254740993 is not a double
        ("items", "ratio", sa.Text, True),  # 1/3 as text loses digits
        ("items", "code", sa.String(200), False),  # same affinity: nothing changes
        ("items", "title", sa.Unicode(10), False),  # SQLite does not enforce lengths
        ("items", "data", sa.LargeBinary, False),  # blobs are never converted
    ],
    ids=[
        "text-to-int",
        "numeric-to-int",
        "bigint-to-real",
        "real-to-text",
        "widen",
        "shorten",
        "blob",
    ],
)
def test_type_change_is_archived_exactly_when_a_value_would_change(
    db: sa.Connection, table: str, column: str, new_type: type, archived: bool
) -> None:
    reverses = upgrade(db, lambda: [ops.AlterColumnOp(table, column, modify_type=new_type)], "auto")
    assert bool(reverses[0].archive) is archived


def test_dropped_table_is_renamed_into_the_archive_and_back(db: sa.Connection) -> None:
    reverses = upgrade(db, lambda: [ops.DropTableOp("owners")], None)
    (action,) = reverses[0].archive
    assert isinstance(action, SqliteTableArchive)
    with db.begin():
        assert archive_tables(db) == [action.archive_table]
        # The archive kept the rows, and the foreign key naming owners was not rewritten.
        assert db.exec_driver_sql(f'SELECT count(*) FROM "{action.archive_table}"').scalar() == 3
        items_sql = db.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'items'"
        ).scalar()
        assert "REFERENCES owners (id)" in items_sql
    revert(db, reverses)
    with db.begin():
        assert archive_tables(db) == []
        # AUTOINCREMENT resumes where it was, not after the largest remaining id.
        db.exec_driver_sql("INSERT INTO owners (name) VALUES ('next')")
        assert db.exec_driver_sql("SELECT max(id) FROM owners").scalar() == 5


def test_reverting_an_added_column_archives_its_values(db: sa.Connection) -> None:
    reverses = upgrade(db, lambda: [ops.AddColumnOp("notes", sa.Column("x", sa.Text))], None)
    with db.begin():
        db.exec_driver_sql("UPDATE notes SET x = 'kept ' || id")
    revert(db, reverses)
    with db.begin():
        (name,) = archive_tables(db)
        assert name.startswith("migsafe_archive__notes__x__")
        kept = db.exec_driver_sql(f'SELECT id, x FROM "{name}" ORDER BY id').all()
    assert kept[:2] == [(1, "kept 1"), (2, "kept 2")]


def test_stored_sql_runs_alone_on_a_fresh_connection(db: sa.Connection) -> None:
    """The stored text is all a later revert has: run it through the plain sqlite3 module."""
    before = snapshot(db)
    reverses = upgrade(
        db,
        lambda: [
            ops.DropColumnOp("items", "doc"),
            ops.RenameTableOp("items", "goods"),
            ops.DropTableOp("tags"),
        ],
        None,
    )
    stored = render_sql(reverse_script(reverses), "sqlite")
    database = db.engine.url.database
    assert database is not None
    fresh = sqlite3.connect(database, isolation_level=None)
    try:
        fresh.execute("BEGIN")
        for statement in stored:
            fresh.execute(statement)
        fresh.execute("COMMIT")
    finally:
        fresh.close()
    after = snapshot(db)
    assert after.fp.schema == before.fp.schema
    assert after.fp.tables == before.fp.tables
