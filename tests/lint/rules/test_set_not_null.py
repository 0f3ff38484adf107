"""set-not-null: SET NOT NULL scans the table unless a validated CHECK proves it (PG 12+)."""

from __future__ import annotations

from pathlib import Path

import pytest

from migsafe.lint.config import LintConfig
from tests.lint.support import corpus_files, expected, lint_source, lint_upgrade, rule_ids

RULE = "set-not-null"

SAFE = (
    "op.create_check_constraint('ck_nn', 'orders', 'customer_id IS NOT NULL',"
    " postgresql_not_valid=True)\n"
    "op.execute('ALTER TABLE orders VALIDATE CONSTRAINT ck_nn')\n"
    "op.alter_column('orders', 'customer_id', existing_type=sa.Integer(), nullable=False)\n"
    "op.drop_constraint('ck_nn', 'orders', type_='check')"
)


@pytest.mark.parametrize(
    "body",
    [
        "op.alter_column('orders', 'customer_id', existing_type=sa.Integer(), nullable=False)",
        "op.execute('ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL')",
        # A check on another column proves nothing about this one.
        SAFE.replace("'customer_id IS NOT NULL'", "'other_id IS NOT NULL'"),
        # NOT VALID and never validated: PostgreSQL cannot rely on it.
        SAFE.replace("op.execute('ALTER TABLE orders VALIDATE CONSTRAINT ck_nn')\n", ""),
    ],
)
def test_set_not_null_on_an_existing_column_is_flagged(body: str) -> None:
    assert RULE in rule_ids(lint_upgrade(body))


def test_a_validated_check_first_is_not_flagged() -> None:
    assert RULE not in rule_ids(lint_upgrade(SAFE))


def test_the_validated_check_does_not_help_before_pg12() -> None:
    result = lint_upgrade(SAFE, config=LintConfig(server_version=110000))
    [finding] = [f for f in result.findings if f.rule == RULE]
    assert "PostgreSQL 12" in finding.message


@pytest.mark.parametrize(
    "body",
    [
        "op.create_table('orders', sa.Column('note', sa.Text()))\n"
        "op.alter_column('orders', 'note', nullable=False)",
        "op.alter_column('orders', 'note', nullable=True)",
        "op.execute('ALTER TABLE orders ADD COLUMN note text NOT NULL DEFAULT \\'\\'')\n"
        "op.alter_column('orders', 'note', nullable=False)",
    ],
)
def test_new_tables_no_ops_and_drop_not_null_are_not_flagged(body: str) -> None:
    assert RULE not in rule_ids(lint_upgrade(body))


def test_a_column_added_in_the_run_still_scans_its_existing_table() -> None:
    body = (
        "op.add_column('orders', sa.Column('note', sa.Text(), server_default='x'))\n"
        "op.alter_column('orders', 'note', nullable=False)"
    )
    [finding] = [f for f in lint_upgrade(body).findings if f.rule == RULE]
    assert "added in this run" in finding.message


@pytest.mark.parametrize(
    "path",
    [p for p in corpus_files() if p.parent.name == "set_not_null"],
    ids=lambda p: p.name,
)
def test_corpus(path: Path) -> None:
    assert rule_ids(lint_source(path.read_text())) == expected(path)
