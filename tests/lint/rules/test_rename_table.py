"""rename-table: ALTER TABLE ... RENAME TO of a table the running release still names; not of a
table the run created (batch_alter_table's _alembic_tmp_ copy included), nor one whose old name
a view keeps."""

from __future__ import annotations

import pytest

from tests.lint.support import lint_upgrade, rule_ids

RULE = "rename-table"

FLAGGED = {
    "op": 'op.rename_table("customers", "clients")',
    "raw-sql": 'op.execute("ALTER TABLE IF EXISTS app.customers RENAME TO clients")',
    "view-under-another-name": """
        op.rename_table("customers", "clients")
        op.execute("CREATE VIEW customers_v AS SELECT * FROM clients")
    """,
}

NOT_FLAGGED = {
    "new-table": """
        op.create_table("staging", sa.Column("id", sa.Integer))
        op.rename_table("staging", "imports")
    """,
    "batch-recreate-copy": """
        orders = sa.Table(
            "orders", sa.MetaData(),
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("note", sa.Text),
        )
        with op.batch_alter_table("orders", copy_from=orders, recreate="always") as batch_op:
            batch_op.alter_column("note", existing_type=sa.Text, nullable=False)
    """,
    "view-keeps-old-name": """
        op.rename_table("customers", "clients")
        op.execute("CREATE VIEW customers AS SELECT * FROM clients")
    """,
    "rename-index": 'op.execute("ALTER INDEX ix_a RENAME TO ix_b")',
    "rename-sequence": 'op.execute("ALTER SEQUENCE a_seq RENAME TO b_seq")',
}


@pytest.mark.parametrize("body", FLAGGED.values(), ids=FLAGGED.keys())
def test_flagged(body: str) -> None:
    assert RULE in rule_ids(lint_upgrade(body))


@pytest.mark.parametrize("body", NOT_FLAGGED.values(), ids=NOT_FLAGGED.keys())
def test_not_flagged(body: str) -> None:
    assert RULE not in rule_ids(lint_upgrade(body))


def test_message_names_both_tables() -> None:
    (finding,) = lint_upgrade(FLAGGED["op"]).findings
    assert finding.severity == "error"
    assert "customers TO clients" in finding.message
