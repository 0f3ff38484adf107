"""rename-column: RENAME COLUMN of a column the running release still names; not of a column
(or table) the run created."""

from __future__ import annotations

import pytest

from tests.lint.support import lint_upgrade, rule_ids

RULE = "rename-column"

FLAGGED = {
    "alter-column": 'op.alter_column("users", "name", new_column_name="full_name")',
    "batch": """
        with op.batch_alter_table("users") as batch_op:
            batch_op.alter_column("name", new_column_name="full_name")
    """,
    "raw-sql": 'op.execute("ALTER TABLE users RENAME COLUMN name TO full_name")',
    "raw-sql-no-column-keyword": 'op.execute("ALTER TABLE users RENAME name TO full_name")',
}

NOT_FLAGGED = {
    "added-in-run": """
        op.add_column("users", sa.Column("nick", sa.String))
        op.alter_column("users", "nick", new_column_name="nickname")
    """,
    "new-table": """
        op.create_table("drafts", sa.Column("id", sa.Integer), sa.Column("txt", sa.Text))
        op.alter_column("drafts", "txt", new_column_name="body")
    """,
    "rename-table-is-not-column": """
        op.create_table("tmp", sa.Column("id", sa.Integer))
        op.rename_table("tmp", "tmp2")
    """,
    "rename-constraint": (
        'op.execute("ALTER TABLE users RENAME CONSTRAINT users_pkey TO users_pk")'
    ),
    "alter-column-comment": 'op.alter_column("users", "name", comment="display name")',
}


@pytest.mark.parametrize("body", FLAGGED.values(), ids=FLAGGED.keys())
def test_flagged(body: str) -> None:
    assert RULE in rule_ids(lint_upgrade(body))


@pytest.mark.parametrize("body", NOT_FLAGGED.values(), ids=NOT_FLAGGED.keys())
def test_not_flagged(body: str) -> None:
    assert RULE not in rule_ids(lint_upgrade(body))


def test_message_names_both_names() -> None:
    (finding,) = lint_upgrade(FLAGGED["alter-column"]).findings
    assert finding.severity == "error"
    assert "users.name TO full_name" in finding.message
