"""Every Alembic operation, applied to the seeded database and undone by its generated
reverse: the schema and data fingerprints must equal the originals, and the upgrade must
apply again afterwards.

Dropped columns come back as their table's last column (PostgreSQL cannot reorder
columns); for those the comparison ignores column order and asserts that the order is the
only difference.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from alembic.operations import ops
from sqlalchemy.dialects import postgresql

from migsafe.reverse.apply import apply_reversibly, undo
from tests.reverse.conftest import (
    RoundTrip,
    assert_exact,
    assert_exact_but_column_order,
    operations_for,
)

Case = Callable[[], list[ops.MigrateOperation]]

EXACT: dict[str, Case] = {
    "add_column": lambda: [
        ops.AddColumnOp(
            "items", sa.Column("extra", sa.Text, nullable=False, server_default="x", comment="c")
        )
    ],
    "add_column-existing-enum": lambda: [
        ops.AddColumnOp("items", sa.Column("m2", postgresql.ENUM(name="mood", create_type=False)))
    ],
    "drop_column-last-column": lambda: [ops.DropColumnOp("items", "updated_at")],
    "alter_column-widen-type": lambda: [
        ops.AlterColumnOp("items", "code", modify_type=sa.String(50))
    ],
    "alter_column-narrow-type": lambda: [
        ops.AlterColumnOp("items", "price", modify_type=sa.Numeric(12, 2))
    ],
    "alter_column-type-with-using": lambda: [
        ops.AlterColumnOp(
            "notes", "txt", modify_type=sa.String(30), postgresql_using="'N: ' || upper(txt)"
        )
    ],
    "alter_column-nullable": lambda: [ops.AlterColumnOp("owners", "name", modify_nullable=True)],
    "alter_column-set-not-null": lambda: [ops.AlterColumnOp("notes", "txt", modify_nullable=False)],
    "alter_column-change-default": lambda: [
        ops.AlterColumnOp("items", "title", modify_server_default=sa.text("'new'"))
    ],
    "alter_column-drop-default": lambda: [
        ops.AlterColumnOp("items", "title", modify_server_default=None)
    ],
    "alter_column-comment": lambda: [
        ops.AlterColumnOp("items", "body", modify_comment="a new comment")
    ],
    "alter_column-drop-comment": lambda: [ops.AlterColumnOp("items", "body", modify_comment=None)],
    "alter_column-rename": lambda: [ops.AlterColumnOp("items", "body", modify_name="content")],
    "alter_column-everything-at-once": lambda: [
        ops.AlterColumnOp(
            "items",
            "code",
            modify_name="sku",
            modify_type=sa.String(4),
            postgresql_using="left(code, 4)",
            modify_server_default=sa.text("'none'"),
            modify_comment="stock keeping unit",
        )
    ],
    "create_table-with-new-enum": lambda: [
        ops.CreateTableOp(
            "tickets",
            [
                sa.Column("id", sa.Integer, primary_key=True),
                sa.Column("state", sa.Enum("open", "closed", name="ticket_state")),
                sa.Column("mood", postgresql.ENUM(name="mood", create_type=False)),
                sa.Column("note", sa.Text, comment="free text"),
                sa.Index("ix_tickets_state", "state"),
            ],
            comment="support tickets",
        )
    ],
    "drop_table-archived": lambda: [ops.DropTableOp("logs")],
    "drop_table-without-primary-key": lambda: [ops.DropTableOp("events")],
    "rename_table": lambda: [ops.RenameTableOp("logs", "journal")],
    "create_index-unique-partial": lambda: [
        ops.CreateIndexOp(
            "ix_items_code_title",
            "items",
            ["code", "title"],
            unique=True,
            postgresql_where=sa.text("code IS NOT NULL"),
        )
    ],
    "drop_index-partial-expression": lambda: [ops.DropIndexOp("items_title_lower")],
    "drop_index-include": lambda: [ops.DropIndexOp("items_owner_incl", "items")],
    "drop_index-gin-opclass": lambda: [ops.DropIndexOp("items_doc_path")],
    "drop_index-commented": lambda: [ops.DropIndexOp("items_tags_gin")],
    "drop_index-desc-nulls-last": lambda: [ops.DropIndexOp("items_body_price")],
    "create_unique_constraint": lambda: [
        ops.CreateUniqueConstraintOp("uq_items_title_code", "items", ["title", "code"])
    ],
    "create_check_constraint": lambda: [
        ops.CreateCheckConstraintOp("ck_items_title", "items", "length(title) < 1000")
    ],
    "create_foreign_key-with-options": lambda: [
        ops.CreateForeignKeyOp(
            "fk_logs_item_again",
            "logs",
            "items",
            ["item_id"],
            ["id"],
            ondelete="SET NULL",
            onupdate="CASCADE",
            deferrable=True,
            initially="DEFERRED",
        )
    ],
    "replace_primary_key": lambda: [
        ops.DropConstraintOp("notes_pkey", "notes", type_="primary"),
        ops.CreatePrimaryKeyOp("notes_pk2", "notes", ["id", "item_id"]),
    ],
    "drop_constraint-check-commented": lambda: [
        ops.DropConstraintOp("items_price_nonneg", "items")
    ],
    "drop_constraint-unique": lambda: [ops.DropConstraintOp("items_code_key", "items")],
    "drop_constraint-foreign-key-deferrable": lambda: [
        ops.DropConstraintOp("items_owner_id_fkey", "items", type_="foreignkey")
    ],
    "drop_constraint-foreign-key-commented": lambda: [ops.DropConstraintOp("logs_item_fk", "logs")],
    "create_table_comment": lambda: [ops.CreateTableCommentOp("owners", "people who own things")],
    "change_table_comment": lambda: [ops.CreateTableCommentOp("items", "other: 5% :x")],
    "drop_table_comment": lambda: [ops.DropTableCommentOp("items")],
    "bulk_insert-with-keys": lambda: [
        ops.BulkInsertOp(
            sa.table("owners", sa.column("id", sa.BigInteger), sa.column("name", sa.Text)),
            [{"id": 10 + i, "name": f"new ñ {i}"} for i in range(5)],
        )
    ],
}

# Dropped columns: the column comes back last; everything else exactly.
DROPPED_COLUMNS = {
    "commented-in-partial-and-multicolumn-indexes": "body",
    "enum": "mood",
    "collated-with-unique-constraint": "code",
    "identity-not-key": "seq_no",
    "serial-not-key": "counter",
    "generated": "title_len",
    "deferrable-foreign-key-and-include-index": "owner_id",
    "check-constraint-and-include-index": "price",
    "array-with-gin-index": "tags",
    "jsonb-with-opclass-index": "doc",
    "not-null-with-default": "rank",
}


@pytest.mark.parametrize("case", list(EXACT.values()), ids=list(EXACT))
def test_round_trip_is_exact(case: Case, round_trip: Callable[[Case], RoundTrip]) -> None:
    trip = round_trip(case)
    assert all(r.irreversible is None for r in trip.reverses)
    assert_exact(trip)


@pytest.mark.parametrize("column", list(DROPPED_COLUMNS.values()), ids=list(DROPPED_COLUMNS))
def test_dropped_column_comes_back_last_with_its_values(
    column: str, round_trip: Callable[[Case], RoundTrip]
) -> None:
    trip = round_trip(lambda: [ops.DropColumnOp("items", column)])
    assert any("last column" in c for r in trip.reverses for c in r.caveats)
    assert_exact_but_column_order(trip, "public.items", column)


def test_dropped_always_identity_comes_back_always_with_its_values(
    conn: sa.Connection, round_trip: Callable[[Case], RoundTrip]
) -> None:
    """Values cannot be written into a GENERATED ALWAYS column: it comes back BY DEFAULT,
    takes its values, then turns ALWAYS again."""
    conn.exec_driver_sql("ALTER TABLE items ALTER COLUMN seq_no SET GENERATED ALWAYS")
    trip = round_trip(lambda: [ops.DropColumnOp("items", "seq_no")])
    assert_exact_but_column_order(trip, "public.items", "seq_no")


def test_identity_sequence_keeps_its_name_after_a_table_rename(
    conn: sa.Connection, round_trip: Callable[[Case], RoundTrip]
) -> None:
    """An identity's sequence keeps the name it got at creation when the table is renamed;
    re-created, it would get the new table's name, so the reverse renames it back."""
    conn.exec_driver_sql(
        "CREATE TABLE tally (id int PRIMARY KEY, n bigint GENERATED BY DEFAULT AS IDENTITY);"
        "INSERT INTO tally (id) SELECT generate_series(1, 5); ALTER TABLE tally RENAME TO tallies"
    )
    trip = round_trip(lambda: [ops.DropColumnOp("tallies", "n")])
    assert "public.tally_n_seq" in trip.reverted.description["sequences"]
    assert_exact(trip)


def test_dropped_serial_and_identity_sequences_resume_where_they_were(
    conn: sa.Connection,
) -> None:
    """Re-adding a serial or identity column draws values from its new sequence: the reverse
    puts the sequence back where it was, or the next insert would reuse a value."""
    operations = operations_for(conn)
    conn.exec_driver_sql("SELECT nextval('public.items_counter_seq')")  # move it past start
    before = _sequence_positions(conn)
    reverses = []
    for column in ("seq_no", "counter"):
        reverses += apply_reversibly(ops.DropColumnOp("items", column), operations)
    undo(reverses, operations)
    assert _sequence_positions(conn) == before


def _sequence_positions(conn: sa.Connection) -> dict[str, int | None]:
    rows = conn.exec_driver_sql(
        "SELECT schemaname || '.' || sequencename, last_value FROM pg_catalog.pg_sequences "
        "WHERE schemaname = 'public'"
    ).all()
    return {name: value for name, value in rows}
