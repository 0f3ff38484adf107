"""sequence-reset: sequences and identities moved to a constant on existing data."""

from __future__ import annotations

from pathlib import Path

import pytest

from migsafe.lint.rules import RULES
from tests.lint.support import CORPUS, expected, lint_source, lint_upgrade, rule_ids

RULE = "sequence-reset"


def hits(body: str) -> list[str]:
    return [f.message for f in lint_upgrade(body).findings if f.rule == RULE]


@pytest.mark.parametrize(
    "sql",
    [
        "ALTER SEQUENCE orders_id_seq RESTART",
        "ALTER SEQUENCE orders_id_seq RESTART WITH 1",
        "SELECT setval('orders_id_seq', 1)",
        "SELECT setval('orders_id_seq'::regclass, 1000, false)",
        "SELECT setval(pg_get_serial_sequence('orders', 'id'), 1)",
        "ALTER TABLE orders ALTER COLUMN id RESTART WITH 100",
        "TRUNCATE orders RESTART IDENTITY",
    ],
)
def test_resets_are_flagged(sql: str) -> None:
    assert len(hits(f"op.execute({sql!r})")) == 1


def test_core_setval_through_the_connection_is_flagged() -> None:
    assert hits("op.get_bind().execute(sa.select(sa.func.setval('orders_id_seq', 1)))")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT setval('orders_id_seq', (SELECT max(id) FROM orders))",
        "SELECT setval('orders_id_seq', coalesce(max(id), 1)) FROM orders",
        "SELECT setval(pg_get_serial_sequence('orders', 'id'), (SELECT max(id) FROM orders))",
        "ALTER SEQUENCE orders_id_seq INCREMENT BY 10",
        "ALTER SEQUENCE orders_id_seq START WITH 1000",
        "TRUNCATE orders",
        "SELECT nextval('orders_id_seq')",
    ],
)
def test_moves_to_what_is_in_use_are_not_flagged(sql: str) -> None:
    assert not hits(f"op.execute({sql!r})")


def test_sequences_created_in_the_run_are_not_flagged() -> None:
    assert not hits(
        """
        op.execute("CREATE SEQUENCE invoice_no_seq")
        op.execute("ALTER SEQUENCE invoice_no_seq RESTART WITH 1000")
        op.execute("SELECT setval('invoice_no_seq', 5000)")
        op.create_table("invoices", sa.Column("id", sa.Integer, sa.Identity(), primary_key=True))
        op.execute("ALTER TABLE invoices ALTER COLUMN id RESTART WITH 100")
        op.execute("SELECT setval('invoices_id_seq', 100)")
        op.execute("TRUNCATE invoices RESTART IDENTITY")
        """
    )


@pytest.mark.parametrize(
    "path", sorted((CORPUS / "sequence_reset").glob("*.py")), ids=lambda p: p.name
)
def test_corpus(path: Path) -> None:
    assert rule_ids(lint_source(path.read_text())) == expected(path) & set(RULES)
