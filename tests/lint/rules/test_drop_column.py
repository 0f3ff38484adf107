"""drop-column: DROP COLUMN of a column the running release may still select or insert; not of
a column (or table) the run created."""

from __future__ import annotations

import pytest

from tests.lint.support import lint_upgrade, rule_ids

RULE = "drop-column"

FLAGGED = {
    "op": 'op.drop_column("users", "legacy_email")',
    "op-schema": 'op.drop_column("users", "legacy_email", schema="app")',
    "batch": """
        with op.batch_alter_table("users") as batch_op:
            batch_op.drop_column("legacy_email")
    """,
    "raw-sql": 'op.execute("ALTER TABLE users DROP COLUMN IF EXISTS legacy_email CASCADE")',
    "second-of-two": """
        op.add_column("users", sa.Column("tmp", sa.Integer))
        op.execute("ALTER TABLE users DROP COLUMN tmp, DROP COLUMN legacy_email")
    """,
}

NOT_FLAGGED = {
    "added-in-run": """
        op.add_column("users", sa.Column("tmp", sa.Integer))
        op.drop_column("users", "tmp")
    """,
    "new-table": """
        op.create_table("drafts", sa.Column("id", sa.Integer), sa.Column("body", sa.Text))
        op.drop_column("drafts", "body")
    """,
    "drop-constraint": 'op.drop_constraint("users_email_key", "users", type_="unique")',
    "drop-default": 'op.alter_column("users", "email", server_default=None)',
}


@pytest.mark.parametrize("body", FLAGGED.values(), ids=FLAGGED.keys())
def test_flagged(body: str) -> None:
    assert RULE in rule_ids(lint_upgrade(body))


@pytest.mark.parametrize("body", NOT_FLAGGED.values(), ids=NOT_FLAGGED.keys())
def test_not_flagged(body: str) -> None:
    assert RULE not in rule_ids(lint_upgrade(body))


def test_message_names_table_and_column() -> None:
    (finding,) = lint_upgrade('op.drop_column("users", "legacy_email")').findings
    assert finding.severity == "error"
    assert "users.legacy_email" in finding.message
    assert "running release" in finding.message


def test_a_second_column_of_the_same_statement_is_judged_alone() -> None:
    result = lint_upgrade(FLAGGED["second-of-two"])
    assert [f.message.split(":")[0] for f in result.findings] == ["DROP COLUMN users.legacy_email"]
