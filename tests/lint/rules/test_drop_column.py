"""drop-column: DROP COLUMN of a column the running release may still select or insert; not of
a column (or table) the run created."""

from __future__ import annotations

import textwrap

import pytest

from migsafe.lint.context import TableStats
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


RECREATE = """
    tags = sa.Table(
        "tags", sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("label", sa.String(50)),
        sa.Column("legacy", sa.String(50)),
    )
    with op.batch_alter_table("tags", copy_from=tags, recreate="always") as batch_op:
        batch_op.alter_column("label", existing_type=sa.String(50), nullable=False)
"""


def test_a_table_batch_recreated_keeps_its_columns_existing() -> None:
    result = lint_upgrade(textwrap.dedent(RECREATE) + 'op.drop_column("tags", "legacy")')
    assert RULE in rule_ids(result)


def test_a_table_created_then_batch_recreated_stays_new() -> None:
    create = """
        op.create_table("tags", sa.Column("id", sa.Integer, primary_key=True),
                        sa.Column("label", sa.String(50)), sa.Column("legacy", sa.String(50)))
    """
    body = textwrap.dedent(create) + textwrap.dedent(RECREATE) + 'op.drop_column("tags", "legacy")'
    assert RULE not in rule_ids(lint_upgrade(body))


def test_a_drop_after_an_orm_session_is_seen() -> None:
    body = """
        from sqlalchemy.orm import Session
        session = Session(bind=op.get_bind())
        session.execute(sa.text("SELECT 1"))
        op.drop_column("users", "legacy_email")
    """
    assert RULE in rule_ids(lint_upgrade(body))


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="batch_alter_table(recreate='always') drops a column by not copying it: no DROP "
    "COLUMN is emitted (table-rewrite-command reports the recreate)",
)
def test_a_drop_in_a_batch_recreate_is_seen() -> None:
    body = RECREATE.replace(
        'batch_op.alter_column("label", existing_type=sa.String(50), nullable=False)',
        'batch_op.drop_column("legacy")',
    )
    assert RULE in rule_ids(lint_upgrade(body))


class _TinyLive:
    server_version = 160000

    def table(self, name: str) -> TableStats | None:
        return TableStats(rows=3, bytes=8192)

    def column_type(self, table: str, column: str) -> str | None:
        return None

    def volatility(self, function: str) -> str | None:
        return None

    def has_not_null_check(self, table: str, column: str) -> bool:
        return False


def test_a_tiny_table_breaks_the_running_release_all_the_same() -> None:
    result = lint_upgrade('op.drop_column("users", "legacy_email")', live=_TinyLive())
    (finding,) = result.findings
    assert finding.severity == "error"
