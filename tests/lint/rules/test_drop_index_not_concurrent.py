"""drop-index-not-concurrent: DROP INDEX takes ACCESS EXCLUSIVE on the table."""

from __future__ import annotations

from pathlib import Path

import pytest

from migsafe.lint.model import Severity
from tests.lint.support import corpus_files, expected, lint_source, lint_upgrade, rule_ids

RULE = "drop-index-not-concurrent"


@pytest.mark.parametrize(
    "body",
    [
        "op.drop_index('ix_orders_created_at', table_name='orders')",
        "op.execute('DROP INDEX IF EXISTS ix_orders_created_at')",
    ],
)
def test_a_plain_drop_is_a_warning(body: str) -> None:
    found = [f for f in lint_upgrade(body).findings if f.rule == RULE]
    assert [f.severity for f in found] == [Severity.WARNING]
    assert "ix_orders_created_at" in found[0].message


@pytest.mark.parametrize(
    "body",
    [
        "with op.get_context().autocommit_block():\n"
        "    op.drop_index('ix_o', table_name='orders', postgresql_concurrently=True)",
        "op.execute('DROP INDEX CONCURRENTLY ix_o')",
        "op.create_index('ix_o', 'orders', ['c'])\nop.drop_index('ix_o', table_name='orders')",
        "op.create_table('orders', sa.Column('c', sa.Integer()))\n"
        "op.drop_index('ix_o', table_name='orders')",
    ],
)
def test_concurrent_or_new_is_not_flagged(body: str) -> None:
    assert RULE not in rule_ids(lint_upgrade(body))


@pytest.mark.parametrize(
    "path",
    [p for p in corpus_files() if p.parent.name == "drop_index_not_concurrent"],
    ids=lambda p: p.name,
)
def test_corpus(path: Path) -> None:
    assert rule_ids(lint_source(path.read_text())) == expected(path)
