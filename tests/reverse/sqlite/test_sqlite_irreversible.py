"""What cannot be undone exactly on SQLite is said so, with the reason, before it runs."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.operations import ops

from migsafe.reverse import reverse_of
from migsafe.reverse.sqlite.raw_sql import classify_sql, split_statements, writes_rows

REFUSED: dict[str, tuple[ops.MigrateOperation, str]] = {
    "drop_column-table-without-primary-key": (
        ops.DropColumnOp("events", "payload"),
        "has no primary key",
    ),
    "drop_column-part-of-primary-key": (ops.DropColumnOp("tags", "tag"), "part of the primary"),
    "drop_column-missing": (ops.DropColumnOp("items", "nope"), "does not exist"),
    "lossy-type-change-without-primary-key": (
        ops.AlterColumnOp("events", "payload", modify_type=sa.Integer),
        "has no primary key",
    ),
    "bulk_insert-generated-keys": (
        ops.BulkInsertOp(sa.table("notes", sa.column("txt")), [{"txt": "x"}]),
        "do not all carry primary key column(s) id",
    ),
    "bulk_insert-null-key": (
        ops.BulkInsertOp(sa.table("notes", sa.column("id")), [{"id": None}]),
        "do not all carry primary key column(s) id",
    ),
    "bulk_insert-table-without-primary-key": (
        ops.BulkInsertOp(sa.table("events", sa.column("at")), [{"at": "x"}]),
        "has no primary key",
    ),
    "attached-database": (ops.DropTableOp("t", schema="other"), "attached database other"),
    "execute-update": (ops.ExecuteSQLOp("UPDATE items SET body = NULL"), "UPDATE changes data"),
    "execute-insert-construct": (
        ops.ExecuteSQLOp(sa.insert(sa.table("notes", sa.column("id"))).values(id=1)),
        "INSERT changes data",
    ),
    "execute-with-delete": (
        ops.ExecuteSQLOp("WITH x AS (SELECT 1) DELETE FROM notes"),
        "WITH changes data",
    ),
    "execute-select": (ops.ExecuteSQLOp("SELECT load_extension('x')"), "a SELECT may call"),
    "execute-pragma": (ops.ExecuteSQLOp("PRAGMA user_version = 3"), "PRAGMA statements"),
    "execute-vacuum": (ops.ExecuteSQLOp("VACUUM"), "VACUUM statements are not recognized"),
    "execute-virtual-table": (
        ops.ExecuteSQLOp("CREATE VIRTUAL TABLE f USING fts5(x)"),
        "virtual tables are not",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED.values()), ids=list(REFUSED))
def test_refused_with_the_reason(case: tuple[ops.MigrateOperation, str], db: sa.Connection) -> None:
    op, reason = case
    with db.begin():
        rev = reverse_of(op, db)
    assert rev.irreversible is not None and reason in rev.irreversible, rev.irreversible
    assert not rev.ops and rev.finish is None


def test_drop_column_refused_when_the_primary_key_has_nulls(db: sa.Connection) -> None:
    """SQLite accepts NULL in a rowid table's non-INTEGER primary key: such rows have no key."""
    with db.begin():
        db.exec_driver_sql("CREATE TABLE loose (code TEXT PRIMARY KEY, v TEXT)")
        db.exec_driver_sql("INSERT INTO loose VALUES (NULL, 'a'), ('b', 'b')")
        rev = reverse_of(ops.DropColumnOp("loose", "v"), db)
    assert rev.irreversible is not None and "primary key has NULLs" in rev.irreversible


def test_drop_of_a_referenced_table_refused_when_foreign_keys_are_on(db: sa.Connection) -> None:
    """With foreign_keys on, DROP TABLE deletes the rows first, cascading into items."""
    driver = db.connection.driver_connection
    assert driver is not None
    driver.execute("PRAGMA foreign_keys = ON")  # outside a transaction, as SQLite requires
    with db.begin():
        rev = reverse_of(ops.DropTableOp("owners"), db)
        other = reverse_of(ops.DropTableOp("events"), db)
    driver.execute("PRAGMA foreign_keys = OFF")
    assert (
        rev.irreversible is not None and "referenced by foreign keys of items" in rev.irreversible
    )
    assert other.irreversible is None


def test_several_statements_are_split_where_sqlite_ends_them() -> None:
    text = (
        "CREATE TABLE a (x TEXT DEFAULT ';'); -- c; d\n"
        "CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT ';'; SELECT 2; END;\n"
        "/* ; */ DROP INDEX i"
    )
    assert split_statements(text) == [
        "CREATE TABLE a (x TEXT DEFAULT ';');",
        "-- c; d\nCREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT ';'; SELECT 2; END;",
        "/* ; */ DROP INDEX i",
    ]
    assert classify_sql(text) is None
    assert (
        classify_sql(text + "; DELETE FROM a")
        == "DELETE changes data, which a reverse script cannot restore"
    )


@pytest.mark.parametrize(
    ("text", "captured"),
    [
        ("UPDATE items SET body = replace(body, 'a', 'b')", True),
        ("INSERT OR IGNORE INTO notes (id) VALUES (1)", True),
        ("WITH x AS (SELECT 1) DELETE FROM notes", True),
        ("DELETE FROM notes; UPDATE items SET body = NULL", True),
        ("WITH x AS (SELECT 1) SELECT * FROM x", False),
        ("REPLACE INTO notes (id) VALUES (1)", False),
        ("INSERT OR REPLACE INTO notes (id) VALUES (1)", False),
        ("UPDATE OR REPLACE notes SET id = 2", False),
        ("DELETE FROM notes; PRAGMA user_version = 3", False),
        ("SELECT 1", False),
        ("", False),
    ],
    ids=lambda v: str(v)[:40],
)
def test_row_capture_takes_the_statements_whose_rows_triggers_see(
    text: str, captured: bool
) -> None:
    """REPLACE deletes the rows in its way without firing delete triggers: not captured."""
    assert writes_rows(text) is captured
