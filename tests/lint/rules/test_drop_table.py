"""drop-table: DROP TABLE of a table the running release may still use; not of a table the run
created, nor batch_alter_table's recreate (its DROP is of a table put back under its name)."""

from __future__ import annotations

import pytest

from tests.lint.support import lint_upgrade, rule_ids

RULE = "drop-table"

FLAGGED = {
    "op": 'op.drop_table("legacy_orders")',
    "raw-sql": 'op.execute("DROP TABLE IF EXISTS legacy_orders CASCADE")',
    "one-of-two": """
        op.create_table("scratch", sa.Column("id", sa.Integer))
        op.execute("DROP TABLE scratch, legacy_orders")
    """,
    "tmp-renamed-elsewhere": """
        op.create_table("_alembic_tmp_orders", sa.Column("id", sa.Integer))
        op.drop_table("orders")
        op.rename_table("_alembic_tmp_orders", "orders_v2")
    """,
    # A hand-made swap: writes committed between the copy and the DROP are lost.
    "hand-written-swap": """
        op.create_table("orders_new", sa.Column("id", sa.Integer, primary_key=True))
        op.execute("INSERT INTO orders_new SELECT id FROM orders")
        op.drop_table("orders")
        op.rename_table("orders_new", "orders")
    """,
}

NOT_FLAGGED = {
    "new-table": """
        op.create_table("scratch", sa.Column("id", sa.Integer))
        op.drop_table("scratch")
    """,
    "batch-recreate": """
        orders = sa.Table(
            "orders", sa.MetaData(),
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("note", sa.Text),
        )
        with op.batch_alter_table("orders", copy_from=orders, recreate="always") as batch_op:
            batch_op.alter_column("note", existing_type=sa.Text, nullable=False)
    """,
    "drop-view": 'op.execute("DROP VIEW legacy_orders_v")',
    "drop-index": 'op.drop_index("ix_orders_created_at", table_name="orders")',
}


@pytest.mark.parametrize("body", FLAGGED.values(), ids=FLAGGED.keys())
def test_flagged(body: str) -> None:
    assert RULE in rule_ids(lint_upgrade(body))


@pytest.mark.parametrize("body", NOT_FLAGGED.values(), ids=NOT_FLAGGED.keys())
def test_not_flagged(body: str) -> None:
    assert RULE not in rule_ids(lint_upgrade(body))


def test_one_finding_per_existing_table() -> None:
    result = lint_upgrade(FLAGGED["one-of-two"])
    assert [f.table for f in result.findings if f.rule == RULE] == ["legacy_orders"]
    (finding,) = result.findings
    assert finding.severity == "error"
