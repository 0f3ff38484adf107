"""lock-table: explicit LOCK TABLE on an existing table, held until the run commits."""

from __future__ import annotations

from pathlib import Path

import pytest

from migsafe.lint.model import Finding, Severity
from migsafe.lint.rules import RULES
from tests.lint.support import CORPUS, expected, lint_source, lint_upgrade, rule_ids

RULE = "lock-table"


def hits(body: str) -> list[Finding]:
    return [f for f in lint_upgrade(body).findings if f.rule == RULE]


def test_default_mode_is_access_exclusive_and_a_warning() -> None:
    [found] = hits('op.execute("LOCK TABLE orders")')
    assert "ACCESS EXCLUSIVE" in found.message and found.severity == Severity.WARNING


def test_share_row_exclusive_is_named_in_the_message() -> None:
    [found] = hits('op.execute("LOCK TABLE orders IN SHARE ROW EXCLUSIVE MODE")')
    assert "SHARE ROW EXCLUSIVE" in found.message


@pytest.mark.parametrize("mode", ["ACCESS SHARE", "ROW SHARE"])
def test_weak_modes_are_info(mode: str) -> None:
    [found] = hits(f'op.execute("LOCK TABLE orders IN {mode} MODE")')
    assert found.severity == Severity.INFO and mode in found.message


def test_lock_through_the_connection_is_flagged() -> None:
    assert hits('op.get_bind().exec_driver_sql("LOCK TABLE orders, customers")')


def test_lock_in_an_autocommit_block_fails_and_is_an_error() -> None:
    [found] = hits(
        """
        with op.get_context().autocommit_block():
            op.execute("LOCK TABLE orders IN SHARE MODE")
        """
    )
    assert found.severity == Severity.ERROR and "transaction blocks" in found.message


def test_table_created_in_the_run_is_not_flagged() -> None:
    assert not hits(
        """
        op.create_table("audit", sa.Column("id", sa.Integer, primary_key=True))
        op.execute("LOCK TABLE audit")
        """
    )


def test_advisory_lock_is_not_flagged() -> None:
    assert not hits('op.execute("SELECT pg_advisory_xact_lock(42)")')


@pytest.mark.parametrize("path", sorted((CORPUS / "lock_table").glob("*.py")), ids=lambda p: p.name)
def test_corpus(path: Path) -> None:
    assert rule_ids(lint_source(path.read_text())) == expected(path) & set(RULES)
