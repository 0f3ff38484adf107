"""set-tablespace: moving an existing relation copies it under ACCESS EXCLUSIVE."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lint.support import corpus_files, expected, lint_source, lint_upgrade, rule_ids

RULE = "set-tablespace"


@pytest.mark.parametrize(
    "sql",
    [
        "ALTER TABLE orders SET TABLESPACE fast",
        "ALTER INDEX ix_orders_created_at SET TABLESPACE fast",
        "ALTER MATERIALIZED VIEW order_totals SET TABLESPACE fast",
        "ALTER TABLE ALL IN TABLESPACE slow SET TABLESPACE fast",
    ],
)
def test_moving_an_existing_relation_is_flagged(sql: str) -> None:
    assert RULE in rule_ids(lint_upgrade(f"op.execute({sql!r})"))


def test_moving_a_table_created_in_the_run_is_not_flagged() -> None:
    body = (
        "op.create_table('orders', sa.Column('id', sa.Integer(), primary_key=True))\n"
        "op.execute('ALTER TABLE orders SET TABLESPACE fast')"
    )
    assert RULE not in rule_ids(lint_upgrade(body))


def test_moving_an_index_created_in_the_run_is_not_flagged() -> None:
    body = (
        "with op.get_context().autocommit_block():\n"
        "    op.create_index('ix_o', 'orders', ['c'], postgresql_concurrently=True)\n"
        "op.execute('ALTER INDEX ix_o SET TABLESPACE fast')"
    )
    assert RULE not in rule_ids(lint_upgrade(body))


def test_other_alter_table_commands_are_not_flagged() -> None:
    body = "op.execute('ALTER TABLE orders SET (fillfactor = 70)')"
    assert RULE not in rule_ids(lint_upgrade(body))


@pytest.mark.parametrize(
    "path",
    [p for p in corpus_files() if p.parent.name == "set_tablespace"],
    ids=lambda p: p.name,
)
def test_corpus(path: Path) -> None:
    assert rule_ids(lint_source(path.read_text())) == expected(path)
