"""column-type-rewrite: type changes that rewrite the table, and the ones PostgreSQL does in
place (binary coercible, a wider limit)."""

from __future__ import annotations

from pathlib import Path

import pytest

from migsafe.lint.context import TableStats
from migsafe.lint.model import Severity
from tests.lint.support import corpus_files, expected, lint_source, lint_upgrade, rule_ids

RULE = "column-type-rewrite"


def _findings(body: str) -> list[tuple[str, Severity]]:
    return [(f.message, f.severity) for f in lint_upgrade(body).findings if f.rule == RULE]


@pytest.mark.parametrize(
    "old, new",
    [
        ("sa.Integer()", "sa.BigInteger()"),
        ("sa.Integer()", "sa.Text()"),
        ("sa.String(50)", "sa.Integer()"),
        ("sa.String(100)", "sa.String(50)"),
        ("sa.Text()", "sa.String(50)"),
        ("sa.Numeric(10, 2)", "sa.Numeric(12, 4)"),
        ("sa.Numeric()", "sa.Numeric(12, 2)"),
        ("sa.CHAR(3)", "sa.Text()"),
        ("sa.CHAR(3)", "sa.CHAR(5)"),
        ("sa.Enum('a', 'b', name='mood')", "sa.Enum('a', 'b', name='mood2')"),
        ("sa.DateTime(timezone=False)", "sa.Date()"),
    ],
    ids=lambda v: v,
)
def test_a_rewriting_change_is_an_error(old: str, new: str) -> None:
    found = _findings(f"op.alter_column('orders', 'c', type_={new}, existing_type={old})")
    assert len(found) == 1
    message, severity = found[0]
    assert severity == Severity.ERROR
    assert "orders.c" in message and "ACCESS EXCLUSIVE" in message


@pytest.mark.parametrize(
    "old, new",
    [
        ("sa.String(50)", "sa.String(100)"),
        ("sa.String(50)", "sa.String()"),
        ("sa.String(50)", "sa.Text()"),
        ("sa.String()", "sa.Text()"),
        ("sa.Text()", "sa.String()"),
        ("sa.Numeric(10, 2)", "sa.Numeric(12, 2)"),
        ("sa.Numeric(10, 2)", "sa.Numeric()"),
        ("postgresql.BIT(5, varying=True)", "postgresql.BIT(8, varying=True)"),
        ("postgresql.CIDR()", "postgresql.INET()"),
        ("postgresql.TIMESTAMP(precision=3)", "postgresql.TIMESTAMP(precision=6)"),
        ("postgresql.TIMESTAMP(precision=3)", "sa.DateTime()"),
        ("postgresql.TIME(precision=0)", "postgresql.TIME(precision=3)"),
        ("postgresql.INTERVAL(precision=3)", "postgresql.INTERVAL()"),
        ("sa.Integer()", "sa.Integer()"),
    ],
    ids=lambda v: v,
)
def test_a_change_without_rewrite_is_not_flagged(old: str, new: str) -> None:
    body = (
        "from sqlalchemy.dialects import postgresql\n"
        f"op.alter_column('orders', 'c', type_={new}, existing_type={old})"
    )
    assert _findings(body) == []


def test_using_an_expression_rewrites_even_for_a_wider_type() -> None:
    found = _findings(
        "op.alter_column('orders', 'c', type_=sa.String(100), existing_type=sa.String(50),\n"
        '                postgresql_using="lower(c)")'
    )
    assert [s for _, s in found] == [Severity.ERROR]


def test_using_the_column_cast_to_the_new_type_is_the_plain_change() -> None:
    assert not _findings(
        "op.alter_column('orders', 'c', type_=sa.String(100), existing_type=sa.String(50),\n"
        "                postgresql_using='c::varchar(100)')"
    )


def test_unknown_old_type_is_a_warning_that_says_so() -> None:
    [(message, severity)] = _findings("op.alter_column('orders', 'c', type_=sa.String(100))")
    assert severity == Severity.WARNING
    assert "existing_type" in message


def test_raw_sql_without_old_type_is_a_warning() -> None:
    [(_, severity)] = _findings("op.execute('ALTER TABLE orders ALTER COLUMN c TYPE bigint')")
    assert severity == Severity.WARNING


def test_timestamp_to_timestamptz_is_a_warning_on_pg12_plus() -> None:
    [(message, severity)] = _findings(
        "op.alter_column('orders', 'c', type_=sa.DateTime(timezone=True),"
        " existing_type=sa.DateTime())"
    )
    assert severity == Severity.WARNING and "TimeZone" in message


def test_a_column_added_in_the_run_still_rewrites_its_existing_table() -> None:
    [(message, severity)] = _findings(
        "op.add_column('orders', sa.Column('c', sa.Integer()))\n"
        "op.alter_column('orders', 'c', type_=sa.BigInteger())"
    )
    assert severity == Severity.ERROR and "was integer" in message


def test_a_column_added_in_the_run_and_widened_is_not_flagged() -> None:
    assert not _findings(
        "op.add_column('orders', sa.Column('c', sa.String(10)))\n"
        "op.alter_column('orders', 'c', type_=sa.String(20))"
    )


def test_table_created_in_the_run_is_not_flagged() -> None:
    assert not _findings(
        "op.create_table('orders', sa.Column('c', sa.Integer()))\n"
        "op.execute('ALTER TABLE orders ALTER COLUMN c TYPE bigint')"
    )


class _Live:
    server_version = 160000

    def table(self, name: str) -> TableStats | None:
        return TableStats(rows=5_000, bytes=50 << 20)

    def column_type(self, table: str, column: str) -> str | None:
        return "character varying(50)"

    def volatility(self, function: str) -> str | None:
        return None

    def has_not_null_check(self, table: str, column: str) -> bool:
        return False


def test_the_live_column_type_decides_when_the_op_does_not_say() -> None:
    wider = lint_upgrade("op.execute('ALTER TABLE orders ALTER COLUMN c TYPE text')", live=_Live())
    narrower = lint_upgrade(
        "op.execute('ALTER TABLE orders ALTER COLUMN c TYPE varchar(10)')", live=_Live()
    )
    assert RULE not in rule_ids(wider)
    assert RULE in rule_ids(narrower)


@pytest.mark.parametrize(
    "path",
    [p for p in corpus_files() if p.parent.name == "column_type_rewrite"],
    ids=lambda p: p.name,
)
def test_corpus(path: Path) -> None:
    assert rule_ids(lint_source(path.read_text())) == expected(path)
