"""check-not-valid: a validating ADD CHECK scans under ACCESS EXCLUSIVE."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lint.support import corpus_files, expected, lint_source, lint_upgrade, rule_ids

RULE = "check-not-valid"


@pytest.mark.parametrize(
    "body",
    [
        "op.create_check_constraint('ck_o_total', 'orders', 'total >= 0')",
        "op.execute('ALTER TABLE orders ADD CONSTRAINT ck_o_total CHECK (total >= 0)')",
        "op.execute('ALTER TABLE orders ADD COLUMN qty int CHECK (qty > 0)')",
    ],
)
def test_a_validating_check_is_flagged(body: str) -> None:
    assert RULE in rule_ids(lint_upgrade(body))


@pytest.mark.parametrize(
    "body",
    [
        "op.create_check_constraint('ck_o_total', 'orders', 'total >= 0',"
        " postgresql_not_valid=True)",
        "op.execute('ALTER TABLE orders VALIDATE CONSTRAINT ck_o_total')",
        "op.create_table('orders', sa.Column('total', sa.Integer()),\n"
        "                sa.CheckConstraint('total >= 0'))",
        "op.create_table('orders', sa.Column('total', sa.Integer()))\n"
        "op.create_check_constraint('ck_o_total', 'orders', 'total >= 0')",
    ],
)
def test_not_valid_or_new_is_not_flagged(body: str) -> None:
    assert RULE not in rule_ids(lint_upgrade(body))


@pytest.mark.parametrize(
    "path",
    [p for p in corpus_files() if p.parent.name == "check_not_valid"],
    ids=lambda p: p.name,
)
def test_corpus(path: Path) -> None:
    assert rule_ids(lint_source(path.read_text())) == expected(path)


ADD_NOT_VALID = (
    "op.create_check_constraint('ck_o_total', 'orders', 'total >= 0', postgresql_not_valid=True)"
)
VALIDATE = "op.execute('ALTER TABLE orders VALIDATE CONSTRAINT ck_o_total')"


def test_validate_in_the_same_transaction_as_the_add_is_flagged() -> None:
    result = lint_upgrade(f"{ADD_NOT_VALID}\n{VALIDATE}")
    [finding] = [f for f in result.findings if f.rule == RULE]
    assert "same transaction" in finding.message


def test_validate_after_the_add_was_committed_is_not_flagged() -> None:
    body = f"with op.get_context().autocommit_block():\n    {ADD_NOT_VALID}\n{VALIDATE}"
    assert RULE not in rule_ids(lint_upgrade(body))
