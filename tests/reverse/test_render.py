"""Reverse operations rendered as SQL: readable for review, and runnable as stored.

A revert from an older release has only the stored SQL, so the text must do exactly what the
operations do.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic.operations import ops

from migsafe.reverse import archive_sql, render_sql, reverse_of, reverse_script
from migsafe.reverse.apply import apply_reversibly
from tests.reverse.conftest import assert_same_but_column_order, operations_for, snapshot


def test_rendered_reverse_of_a_dropped_column_reads_in_order(conn: sa.Connection) -> None:
    rev = reverse_of(ops.DropColumnOp("items", "price"), conn)
    statements = render_sql(rev.ops)
    assert statements[0] == ("ALTER TABLE public.items ADD COLUMN price numeric(12,4) DEFAULT 0;")
    update = next(s for s in statements if s.startswith("UPDATE"))
    assert 'FROM "migsafe_archive"."items__price__' in update
    assert 'WHERE live."id" = kept."id"' in update
    check = next(s for s in statements if "ADD CONSTRAINT" in s)
    assert check == (
        'ALTER TABLE "public"."items" ADD CONSTRAINT "items_price_nonneg" '
        "CHECK ((price >= (0)::numeric));"
    )
    # Values first, then what checks them.
    assert statements.index(update) < statements.index(check)
    (action,) = rev.archive
    assert archive_sql(action)[0] == 'CREATE SCHEMA IF NOT EXISTS "migsafe_archive"'


def test_percent_signs_and_colons_are_rendered_as_written(conn: sa.Connection) -> None:
    rev = reverse_of(ops.DropTableCommentOp("items"), conn)
    assert render_sql(rev.ops) == ["COMMENT ON TABLE public.items IS 'things: 100% :weird';"]


def test_bulk_insert_reverse_renders_its_keys_as_literals(conn: sa.Connection) -> None:
    table = sa.table("owners", sa.column("id", sa.BigInteger), sa.column("name", sa.Text))
    rev = reverse_of(
        ops.BulkInsertOp(table, [{"id": 7, "name": "a"}, {"id": 8, "name": "b"}]), conn
    )
    assert render_sql(rev.ops) == ["DELETE FROM public.owners WHERE public.owners.id IN (7, 8);"]


def test_the_rendered_sql_reverts_like_the_operations(conn: sa.Connection) -> None:
    """Run the stored text, not the objects: the result is the same as undoing with ops."""
    before = snapshot(conn)
    reverses = []
    operations = operations_for(conn)
    for op in (
        ops.DropColumnOp("items", "doc"),
        ops.AlterColumnOp("items", "price", modify_type=sa.Integer),
        ops.DropTableOp("logs"),
        ops.CreateIndexOp("ix_items_rank", "items", ["rank"]),
    ):
        reverses += apply_reversibly(op, operations)
    driver = conn.connection.driver_connection
    for statement in render_sql(reverse_script(reverses)):
        driver.execute(statement)  # type: ignore[union-attr]
    assert_same_but_column_order(before, snapshot(conn), "public.items", "doc")
