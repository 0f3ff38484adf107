"""Every Alembic operation on the seeded SQLite file, undone by its stored reverse SQL: the
schema fingerprint (``sqlite_master`` text included) and every row must equal the originals,
and the upgrade must apply again afterwards.

Operations SQLite cannot run as plain ALTER run the way the runner runs a migration's
``batch_alter_table`` block: each in its own batch (``recreate="auto"``, or ``"always"``).
Unlike PostgreSQL, a dropped column comes back in its place: the reverse re-runs the table's
saved ``CREATE TABLE``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from alembic.operations import ops

from tests.reverse.sqlite.conftest import assert_exact, run_round_trip

Case = tuple[Callable[[], list[ops.MigrateOperation]], str | None]


def _table(name: str, *cols: str) -> sa.sql.TableClause:
    return sa.table(name, *[sa.column(c) for c in cols])


CASES: dict[str, Case] = {
    "add_column-plain-alter": (
        lambda: [
            ops.AddColumnOp(
                "items", sa.Column("extra", sa.Text, nullable=False, server_default="x")
            )
        ],
        None,
    ),
    "add_column-with-foreign-key": (
        lambda: [
            ops.AddColumnOp(
                "notes",
                sa.Column(
                    "owner_id", sa.Integer, sa.ForeignKey("owners.id", name="fk_notes_owner")
                ),
            )
        ],
        "auto",
    ),
    "add_column-batch-recreate": (
        lambda: [
            ops.AddColumnOp("items", sa.Column("stamp", sa.Text, server_default=sa.text("'s'")))
        ],
        "auto",
    ),
    "drop_column-plain-alter": (lambda: [ops.DropColumnOp("items", "ratio")], None),
    "drop_column-blob": (lambda: [ops.DropColumnOp("items", "data")], None),
    "drop_column-not-null-with-default": (lambda: [ops.DropColumnOp("items", "rank")], None),
    "drop_column-batch-json": (lambda: [ops.DropColumnOp("items", "doc")], "auto"),
    "drop_column-batch-indexed": (lambda: [ops.DropColumnOp("notes", "item_id")], "auto"),
    "drop_column-without-rowid-table": (lambda: [ops.DropColumnOp("tags", "weight")], "auto"),
    "alter_column-text-to-integer-lossy": (
        lambda: [ops.AlterColumnOp("notes", "txt", modify_type=sa.Integer)],
        "auto",
    ),
    "alter_column-numeric-to-integer-lossy": (
        lambda: [ops.AlterColumnOp("items", "price", modify_type=sa.Integer)],
        "auto",
    ),
    "alter_column-integer-to-real-big-int": (
        lambda: [ops.AlterColumnOp("items", "rank", modify_type=sa.Float)],
        "auto",
    ),
    "alter_column-widen-varchar": (
        lambda: [ops.AlterColumnOp("items", "code", modify_type=sa.String(200))],
        "auto",
    ),
    "alter_column-nullable": (
        lambda: [ops.AlterColumnOp("items", "title", modify_nullable=True)],
        "auto",
    ),
    "alter_column-set-not-null": (
        lambda: [ops.AlterColumnOp("notes", "txt", modify_nullable=False)],
        "auto",
    ),
    "alter_column-change-default": (
        lambda: [ops.AlterColumnOp("items", "title", modify_server_default=sa.text("'new'"))],
        "auto",
    ),
    "alter_column-rename": (
        lambda: [ops.AlterColumnOp("items", "body", modify_name="content")],
        "auto",
    ),
    "alter_column-rename-plain": (
        lambda: [ops.AlterColumnOp("notes", "txt", modify_name="text_")],
        None,
    ),
    "alter_column-everything-at-once": (
        lambda: [
            ops.AlterColumnOp(
                "items",
                "ratio",
                modify_name="score",
                modify_type=sa.Text,
                modify_server_default=sa.text("'0'"),
            )
        ],
        "always",
    ),
    "create_table": (
        lambda: [
            ops.CreateTableOp(
                "tickets",
                [
                    sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id")),
                    sa.Column("note", sa.Text),
                    sa.Index("ix_tickets_note", "note"),
                ],
            )
        ],
        None,
    ),
    "drop_table-archived": (lambda: [ops.DropTableOp("notes")], None),
    "drop_column-next-to-generated-columns": (lambda: [ops.DropColumnOp("docs", "extra")], None),
    "drop_column-generated": (lambda: [ops.DropColumnOp("docs", "head")], None),
    "drop_table-generated-columns": (lambda: [ops.DropTableOp("docs")], None),
    "drop_table-without-primary-key": (lambda: [ops.DropTableOp("events")], None),
    "drop_table-without-rowid": (lambda: [ops.DropTableOp("tags")], None),
    "drop_table-referenced-autoincrement": (lambda: [ops.DropTableOp("owners")], None),
    "rename_table-rewrites-references": (lambda: [ops.RenameTableOp("items", "goods")], None),
    "rename_table-plain": (lambda: [ops.RenameTableOp("events", "happenings")], None),
    "create_index": (
        lambda: [
            ops.CreateIndexOp(
                "ix_items_code_title",
                "items",
                ["code", "title"],
                unique=True,
                sqlite_where=sa.text("code IS NOT NULL"),
            )
        ],
        None,
    ),
    "drop_index-partial-expression": (lambda: [ops.DropIndexOp("items_title_lower")], None),
    "drop_index-desc": (lambda: [ops.DropIndexOp("items_owner", "items")], None),
    "create_unique_constraint": (
        lambda: [ops.CreateUniqueConstraintOp("uq_notes_txt", "notes", ["txt"])],
        "auto",
    ),
    "create_check_constraint": (
        lambda: [ops.CreateCheckConstraintOp("ck_notes_txt", "notes", sa.text("length(txt) > 0"))],
        "auto",
    ),
    "create_foreign_key": (
        lambda: [ops.CreateForeignKeyOp("fk_tags_item", "tags", "items", ["item_id"], ["id"])],
        "auto",
    ),
    "drop_constraint-check": (
        lambda: [ops.DropConstraintOp("items_price_nonneg", "items", type_="check")],
        "auto",
    ),
    "bulk_insert": (
        lambda: [
            ops.BulkInsertOp(
                _table("owners", "id", "name"), [{"id": 7, "name": "a'"}, {"id": 8, "name": "b"}]
            )
        ],
        None,
    ),
    "bulk_insert-composite-key": (
        lambda: [
            ops.BulkInsertOp(
                _table("tags", "item_id", "tag", "weight"),
                [
                    {"item_id": 1, "tag": "x", "weight": 1.0},
                    {"item_id": 2, "tag": "y'z", "weight": 2},
                ],
            )
        ],
        None,
    ),
    "execute-create-index": (
        lambda: [ops.ExecuteSQLOp("CREATE INDEX ix_notes_txt ON notes (txt)")],
        None,
    ),
    "execute-drop-index": (lambda: [ops.ExecuteSQLOp("DROP INDEX items_owner")], None),
    "execute-drop-table": (lambda: [ops.ExecuteSQLOp('DROP TABLE IF EXISTS "notes"')], None),
    "execute-drop-column": (
        lambda: [ops.ExecuteSQLOp("ALTER TABLE items DROP COLUMN ratio")],
        None,
    ),
    "execute-rename-column": (
        lambda: [ops.ExecuteSQLOp("ALTER TABLE items RENAME COLUMN id TO ident")],
        None,
    ),
    "execute-rename-table": (
        lambda: [ops.ExecuteSQLOp("ALTER TABLE [items] RENAME TO items2")],
        None,
    ),
    "execute-several-statements": (
        lambda: [
            ops.ExecuteSQLOp(
                "CREATE TABLE t2 (a INTEGER PRIMARY KEY, b TEXT DEFAULT ';');\n"
                "-- a comment; with a semicolon\n"
                "CREATE TRIGGER t2_ins AFTER INSERT ON t2 BEGIN SELECT 1; SELECT 2; END;\n"
                "CREATE VIEW v2 AS SELECT * FROM t2;"
            )
        ],
        None,
    ),
    "several-operations-one-migration": (
        lambda: [
            ops.AddColumnOp("items", sa.Column("extra", sa.Text)),
            ops.CreateIndexOp("ix_items_extra", "items", ["extra"]),
            ops.DropColumnOp("items", "ratio"),
            ops.AlterColumnOp("items", "body", modify_name="content"),
            ops.DropTableOp("events"),
        ],
        "auto",
    ),
}


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_round_trip_is_exact(case: Case, db: sa.Connection) -> None:
    migration, batch = case
    trip = run_round_trip(db, migration, batch)
    assert all(r.exact for r in trip.reverses), [r.caveats for r in trip.reverses]
    assert_exact(trip)
