"""foreign-key-not-valid: a validating ADD FOREIGN KEY blocks writes to both tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lint.support import corpus_files, expected, lint_source, lint_upgrade, rule_ids

RULE = "foreign-key-not-valid"


@pytest.mark.parametrize(
    "body",
    [
        "op.create_foreign_key('fk_o_c', 'orders', 'customers', ['customer_id'], ['id'])",
        "op.execute('ALTER TABLE orders ADD CONSTRAINT fk_o_c FOREIGN KEY (customer_id) "
        "REFERENCES customers (id)')",
        # Alembic renders the FK of a new column as a separate ADD FOREIGN KEY: it scans.
        "op.add_column('orders', sa.Column('customer_id', sa.Integer(),"
        " sa.ForeignKey('customers.id')))",
        "op.execute('ALTER TABLE orders ADD COLUMN customer_id int DEFAULT 0 "
        "REFERENCES customers (id)')",
    ],
)
def test_a_validating_foreign_key_is_flagged(body: str) -> None:
    assert RULE in rule_ids(lint_upgrade(body))


@pytest.mark.parametrize(
    "body",
    [
        "op.create_foreign_key('fk_o_c', 'orders', 'customers', ['customer_id'], ['id'],\n"
        "                      postgresql_not_valid=True)",
        "op.execute('ALTER TABLE orders VALIDATE CONSTRAINT fk_o_c')",
        # The inline REFERENCES of a column added without a default: PostgreSQL skips the scan.
        "op.execute('ALTER TABLE orders ADD COLUMN customer_id int REFERENCES customers (id)')",
        "op.create_table('orders', sa.Column('id', sa.Integer(), primary_key=True),\n"
        "                sa.Column('customer_id', sa.Integer(), sa.ForeignKey('customers.id')))",
        "op.create_table('orders', sa.Column('customer_id', sa.Integer()))\n"
        "op.create_foreign_key('fk_o_c', 'orders', 'customers', ['customer_id'], ['id'])",
    ],
)
def test_not_valid_or_new_is_not_flagged(body: str) -> None:
    assert RULE not in rule_ids(lint_upgrade(body))


@pytest.mark.parametrize(
    "path",
    [p for p in corpus_files() if p.parent.name == "foreign_key_not_valid"],
    ids=lambda p: p.name,
)
def test_corpus(path: Path) -> None:
    assert rule_ids(lint_source(path.read_text())) == expected(path)


ADD_NOT_VALID = (
    "op.create_foreign_key('fk_o_c', 'orders', 'customers', ['customer_id'], ['id'],"
    " postgresql_not_valid=True)"
)
VALIDATE = "op.execute('ALTER TABLE orders VALIDATE CONSTRAINT fk_o_c')"


def test_validate_in_the_same_transaction_as_the_add_is_flagged() -> None:
    result = lint_upgrade(f"{ADD_NOT_VALID}\n{VALIDATE}")
    [finding] = [f for f in result.findings if f.rule == RULE]
    assert "same transaction" in finding.message


def test_validate_after_the_add_was_committed_is_not_flagged() -> None:
    body = f"with op.get_context().autocommit_block():\n    {ADD_NOT_VALID}\n{VALIDATE}"
    assert RULE not in rule_ids(lint_upgrade(body))
