"""volatile-default: ADD COLUMN whose value differs per row rewrites the table; a constant,
stable or immutable default does not (PostgreSQL 11+)."""

from __future__ import annotations

from pathlib import Path

import pytest

from migsafe.lint.config import LintConfig
from migsafe.lint.context import TableStats
from migsafe.lint.model import Severity
from tests.lint.support import corpus_files, expected, lint_source, lint_upgrade, rule_ids

RULE = "volatile-default"


def _severities(body: str, **kwargs: object) -> list[Severity]:
    return [f.severity for f in lint_upgrade(body, **kwargs).findings if f.rule == RULE]


@pytest.mark.parametrize(
    "column",
    [
        "sa.Column('k', sa.Uuid(), server_default=sa.text('gen_random_uuid()'))",
        "sa.Column('k', sa.Float(), server_default=sa.text('random()'))",
        "sa.Column('k', sa.DateTime(), server_default=sa.text('clock_timestamp()'))",
        "sa.Column('k', sa.Integer(), server_default=sa.text(\"nextval('s')\"))",
        "sa.Column('k', sa.Integer(), sa.Identity())",
        "sa.Column('k', sa.Integer(), sa.Computed('a + 1', persisted=True))",
    ],
)
def test_a_per_row_value_is_an_error(column: str) -> None:
    assert _severities(f"op.add_column('orders', {column})") == [Severity.ERROR]


@pytest.mark.parametrize("sql_type", ["serial", "bigserial", "smallserial"])
def test_serial_types_are_an_error(sql_type: str) -> None:
    body = f"op.execute('ALTER TABLE orders ADD COLUMN k {sql_type}')"
    assert _severities(body) == [Severity.ERROR]


@pytest.mark.parametrize(
    "column",
    [
        "sa.Column('k', sa.DateTime(), server_default=sa.func.now())",
        "sa.Column('k', sa.DateTime(), server_default=sa.text('CURRENT_TIMESTAMP'))",
        "sa.Column('k', sa.Boolean(), server_default=sa.false(), nullable=False)",
        "sa.Column('k', sa.Integer(), server_default='0', nullable=False)",
        "sa.Column('k', sa.Text(), server_default=sa.text(\"'a'::text\"))",
        "sa.Column('k', sa.Integer(), server_default=sa.text('NULL'))",
        "sa.Column('k', sa.Integer())",
    ],
)
def test_a_constant_or_stable_default_is_not_flagged(column: str) -> None:
    assert _severities(f"op.add_column('orders', {column})") == []


def test_any_default_rewrites_before_pg11() -> None:
    body = "op.add_column('orders', sa.Column('k', sa.Integer(), server_default='0'))"
    assert _severities(body, config=LintConfig(server_version=100000)) == [Severity.ERROR]


def test_set_default_on_an_existing_column_is_not_flagged() -> None:
    body = "op.alter_column('orders', 'k', server_default=sa.text('gen_random_uuid()'))"
    assert _severities(body) == []


def test_a_new_table_is_not_flagged() -> None:
    body = (
        "op.create_table('orders', sa.Column('id', sa.Integer(), primary_key=True))\n"
        "op.add_column('orders', sa.Column('k', sa.Uuid(), "
        "server_default=sa.text('gen_random_uuid()')))"
    )
    assert _severities(body) == []


def test_an_unknown_function_offline_is_a_warning() -> None:
    body = "op.add_column('orders', sa.Column('k', sa.Text(), server_default=sa.text('f()')))"
    assert _severities(body) == [Severity.WARNING]


class _Live:
    server_version = 160000

    def __init__(self, volatility: str) -> None:
        self._volatility = volatility

    def table(self, name: str) -> TableStats | None:
        return TableStats(rows=5_000, bytes=50 << 20)

    def column_type(self, table: str, column: str) -> str | None:
        return None

    def volatility(self, function: str) -> str | None:
        return self._volatility

    def has_not_null_check(self, table: str, column: str) -> bool:
        return False


@pytest.mark.parametrize("volatility, found", [("v", [Severity.ERROR]), ("s", []), ("i", [])])
def test_the_live_catalog_decides_an_unknown_function(
    volatility: str, found: list[Severity]
) -> None:
    body = "op.add_column('orders', sa.Column('k', sa.Text(), server_default=sa.text('f()')))"
    assert _severities(body, live=_Live(volatility)) == found


@pytest.mark.parametrize(
    "path",
    [p for p in corpus_files() if p.parent.name == "volatile_default"],
    ids=lambda p: p.name,
)
def test_corpus(path: Path) -> None:
    assert rule_ids(lint_source(path.read_text())) == expected(path)
