"""add-required-column: NOT NULL without DEFAULT fails on a table with rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from migsafe.lint.context import TableStats
from migsafe.lint.model import Severity
from tests.lint.support import corpus_files, expected, lint_source, lint_upgrade, rule_ids

RULE = "add-required-column"


@pytest.mark.parametrize(
    "body",
    [
        "op.add_column('orders', sa.Column('region', sa.Text(), nullable=False))",
        "op.execute('ALTER TABLE orders ADD COLUMN region text NOT NULL')",
    ],
)
def test_not_null_without_default_is_an_error(body: str) -> None:
    found = [f for f in lint_upgrade(body).findings if f.rule == RULE]
    assert [f.severity for f in found] == [Severity.ERROR]
    assert "orders.region" in found[0].message


@pytest.mark.parametrize(
    "body",
    [
        "op.add_column('orders', sa.Column('region', sa.Text(), nullable=False,"
        " server_default='eu'))",
        "op.add_column('orders', sa.Column('region', sa.Text(), nullable=True))",
        "op.add_column('orders', sa.Column('n', sa.Integer(), sa.Identity(), nullable=False))",
        "op.execute('ALTER TABLE orders ADD COLUMN n bigserial')",
        "op.create_table('orders', sa.Column('id', sa.Integer()))\n"
        "op.add_column('orders', sa.Column('region', sa.Text(), nullable=False))",
    ],
)
def test_a_default_identity_or_new_table_is_not_flagged(body: str) -> None:
    assert RULE not in rule_ids(lint_upgrade(body))


class _Empty:
    server_version = 160000

    def table(self, name: str) -> TableStats | None:
        return TableStats(rows=0, bytes=8192)

    def column_type(self, table: str, column: str) -> str | None:
        return None

    def volatility(self, function: str) -> str | None:
        return None

    def has_not_null_check(self, table: str, column: str) -> bool:
        return False


def test_an_empty_table_in_the_live_database_is_only_info() -> None:
    body = "op.add_column('orders', sa.Column('region', sa.Text(), nullable=False))"
    found = [f for f in lint_upgrade(body, live=_Empty()).findings if f.rule == RULE]
    assert [f.severity for f in found] == [Severity.INFO]


@pytest.mark.parametrize(
    "path",
    [p for p in corpus_files() if p.parent.name == "add_required_column"],
    ids=lambda p: p.name,
)
def test_corpus(path: Path) -> None:
    assert rule_ids(lint_source(path.read_text())) == expected(path)
