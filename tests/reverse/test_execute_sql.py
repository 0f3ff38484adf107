"""Raw ``op.execute`` DDL is mirrored and undone exactly, like the operations it amounts to."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from alembic.operations import ops

from migsafe.reverse import classify_sql, reverse_of
from tests.reverse.conftest import RoundTrip, assert_exact, assert_exact_but_column_order

Case = Callable[[], list[ops.MigrateOperation]]


def sql(*statements: str) -> Case:
    return lambda: [ops.ExecuteSQLOp(s) for s in statements]


EXACT: dict[str, Case] = {
    "create-index-concurrently-style": sql(
        "CREATE UNIQUE INDEX ix_raw ON items (code, lower(title)) INCLUDE (price) "
        "WHERE code IS NOT NULL"
    ),
    "drop-index": sql("DROP INDEX items_title_lower"),
    "drop-two-indexes": sql("DROP INDEX public.items_doc_path, items_tags_gin"),
    "create-table": sql("CREATE TABLE raw_t (id serial PRIMARY KEY, v text DEFAULT '50%')"),
    "create-table-as": sql("CREATE TABLE raw_copy AS SELECT id, title FROM items"),
    "create-table-if-not-exists-existing": sql(
        "CREATE TABLE IF NOT EXISTS items (id int)", "COMMENT ON TABLE items IS 'changed'"
    ),
    "drop-table-archived": sql("DROP TABLE logs"),
    "drop-two-tables-archived": sql("DROP TABLE logs, events"),
    "add-column": sql("ALTER TABLE items ADD COLUMN extra jsonb DEFAULT '{}' NOT NULL"),
    "set-and-drop-defaults": sql(
        "ALTER TABLE items ALTER COLUMN title SET DEFAULT 'x:y', ALTER COLUMN price DROP DEFAULT"
    ),
    "set-and-drop-not-null": sql(
        "ALTER TABLE notes ALTER COLUMN txt SET NOT NULL",
        "ALTER TABLE owners ALTER COLUMN name DROP NOT NULL",
    ),
    "lossy-type-change-archived": sql(
        "ALTER TABLE items ALTER COLUMN price TYPE integer USING round(price)::integer"
    ),
    "widening-type-change": sql("ALTER TABLE items ALTER COLUMN code TYPE text"),
    "add-constraints": sql(
        "ALTER TABLE items ADD CONSTRAINT ck_raw CHECK (rank >= 0) NOT VALID",
        "ALTER TABLE notes ADD CONSTRAINT fk_raw FOREIGN KEY (item_id) REFERENCES items (id) "
        "ON DELETE SET NULL DEFERRABLE",
    ),
    "add-primary-key": sql(
        "ALTER TABLE notes DROP CONSTRAINT notes_pkey",
        "ALTER TABLE notes ADD CONSTRAINT notes_pk_raw PRIMARY KEY (id, item_id)",
    ),
    "drop-constraints": sql(
        "ALTER TABLE items DROP CONSTRAINT items_price_nonneg, DROP CONSTRAINT items_owner_id_fkey"
    ),
    "renames": sql(
        "ALTER TABLE logs RENAME TO journal",
        "ALTER TABLE journal RENAME COLUMN msg TO message",
        "ALTER INDEX logs_msg RENAME TO journal_message",
        "ALTER TABLE journal RENAME CONSTRAINT logs_item_fk TO journal_item_fk",
    ),
    "comments": sql(
        "COMMENT ON TABLE items IS NULL",
        "COMMENT ON COLUMN public.items.body IS 'new: 100%'",
        "COMMENT ON COLUMN items.title IS 'a title'",
    ),
    "create-and-drop-types": sql(
        "CREATE TYPE public.colour AS ENUM ('red', 'grün')",
        "CREATE TYPE pair AS (a int, b text)",
        "CREATE TABLE paint (id int PRIMARY KEY, c colour)",
    ),
    "schema-sequence-view": sql(
        "CREATE SCHEMA extra",
        "CREATE SEQUENCE extra.counter START 7",
        "CREATE VIEW extra.titles AS SELECT id, title FROM public.items",
    ),
    "several-statements-in-one-execute": lambda: [
        ops.ExecuteSQLOp(
            "CREATE TABLE multi (id int PRIMARY KEY); "
            "ALTER TABLE multi ADD COLUMN note text; "
            "CREATE INDEX ix_multi_note ON multi (note); "
            "SET LOCAL statement_timeout = '1min'"
        )
    ],
    "sqlalchemy-ddl-and-text": lambda: [
        ops.ExecuteSQLOp(sa.DDL("ALTER TABLE items ALTER COLUMN title SET DEFAULT '100%%'")),
        ops.ExecuteSQLOp(sa.text("CREATE INDEX ix_text ON items (rank)")),
    ],
}


@pytest.mark.parametrize("case", list(EXACT.values()), ids=list(EXACT))
def test_raw_ddl_round_trip_is_exact(case: Case, round_trip: Callable[[Case], RoundTrip]) -> None:
    trip = round_trip(case)
    assert all(r.irreversible is None for r in trip.reverses)
    assert_exact(trip)


def test_raw_drop_column_is_archived_and_comes_back_last(
    round_trip: Callable[[Case], RoundTrip],
) -> None:
    trip = round_trip(sql("ALTER TABLE items DROP COLUMN IF EXISTS tags"))
    assert [type(a).__name__ for r in trip.reverses for a in r.archive] == ["ColumnArchive"]
    assert_exact_but_column_order(trip, "public.items", "tags")


def test_dropping_an_enum_after_its_column_round_trips(
    round_trip: Callable[[Case], RoundTrip],
) -> None:
    """The archive keeps enum values as text, so the type can be dropped after the column;
    the revert creates the type again (labels in order), then the column with its values."""
    trip = round_trip(
        lambda: [ops.DropColumnOp("items", "mood"), ops.ExecuteSQLOp("DROP TYPE public.mood")]
    )
    assert_exact_but_column_order(trip, "public.items", "mood")


def test_several_statements_are_replaced_by_one_execute_each(conn: sa.Connection) -> None:
    rev = reverse_of(ops.ExecuteSQLOp("CREATE TABLE a (id int); DROP TABLE events"), conn)
    assert rev.irreversible is None and rev.ops == ()
    assert rev.replace_with is not None
    assert [str(o.sqltext) for o in rev.replace_with] == [  # type: ignore[attr-defined]
        "CREATE TABLE a (id int)",
        "DROP TABLE events",
    ]


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("CREATE INDEX i ON t (a); ALTER TABLE t ADD COLUMN b int", None),
        ("CREATE TABLE t (a int); UPDATE t SET a = 1", "UPDATE changes data"),
        ("COPY t FROM STDIN", "COPY changes data"),
        ("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'", "not mirrored"),
    ],
    ids=["ddl", "update", "copy", "function"],
)
def test_classify_sql_needs_no_database(text: str, verdict: str | None) -> None:
    """The plan can flag irreversible raw SQL before anything runs."""
    found = classify_sql(text)
    assert (found is None) if verdict is None else (found is not None and verdict in found)
