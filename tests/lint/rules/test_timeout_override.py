"""timeout-override: lock_timeout / statement_timeout disabled or raised in a revision."""

from __future__ import annotations

from pathlib import Path

import pytest

from migsafe.lint.config import LintConfig
from migsafe.lint.model import RevisionInput, Statement, Via
from migsafe.lint.rules import RULES
from migsafe.lint.rules.timeout_override import seconds
from migsafe.lint.run import lint
from migsafe.lint.sqltext import parse_one
from tests.lint.support import CORPUS, expected, lint_source, lint_upgrade, rule_ids

RULE = "timeout-override"


def hits(body: str) -> list[str]:
    return [f.message for f in lint_upgrade(body).findings if f.rule == RULE]


@pytest.mark.parametrize(
    ("value", "want"),
    [("5s", 5.0), ("2min", 120.0), ("3000", 3.0), ("1h", 3600.0), ("250ms", 0.25), ("0", 0.0)],
)
def test_postgresql_units(value: str, want: float) -> None:
    assert seconds(value) == want


@pytest.mark.parametrize(
    "sql",
    [
        "SET lock_timeout = 0",
        "SET LOCAL lock_timeout = '1min'",
        "SET SESSION lock_timeout TO 10000",
        "RESET lock_timeout",
        "SET lock_timeout TO DEFAULT",
        "SET statement_timeout = 0",
        "SET statement_timeout = '2h'",
        "SET idle_in_transaction_session_timeout = 0",
        "SELECT set_config('lock_timeout', '0', true)",
        "SELECT set_config('statement_timeout', '90min', false)",
    ],
)
def test_disabling_or_raising_is_flagged(sql: str) -> None:
    assert len(hits(f"op.execute({sql!r})")) == 1


@pytest.mark.parametrize(
    "sql",
    [
        "SET LOCAL lock_timeout = '2s'",
        "SET lock_timeout = 5000",
        "SET LOCAL statement_timeout = '15min'",
        "SELECT set_config('lock_timeout', '1s', true)",
        "SET search_path = public",
        "SELECT current_setting('lock_timeout')",
    ],
)
def test_lowering_or_other_settings_are_not_flagged(sql: str) -> None:
    assert not hits(f"op.execute({sql!r})")


def lint_sql(sql: str, *, statement_timeout: float | None) -> set[str]:
    """Lint one statement as a revision's only one, under a guard with these timeouts."""
    statements = tuple(Statement(text, node, 1, Via.OP) for text, node in parse_one(sql))
    rev = RevisionInput(revision="r1", path="r1.py", source="", statements=statements)
    result = lint([rev], config=LintConfig(), statement_timeout=statement_timeout)
    return rule_ids(result)


def test_statement_timeout_is_judged_against_the_guards_when_it_sets_one() -> None:
    sql = "SET LOCAL statement_timeout = '15min'"
    assert RULE not in lint_sql(sql, statement_timeout=None)
    assert RULE in lint_sql(sql, statement_timeout=600.0)
    assert RULE not in lint_sql(sql, statement_timeout=3600.0)


@pytest.mark.parametrize(
    "path", sorted((CORPUS / "timeout_override").glob("*.py")), ids=lambda p: p.name
)
def test_corpus(path: Path) -> None:
    assert rule_ids(lint_source(path.read_text())) == expected(path) & set(RULES)
