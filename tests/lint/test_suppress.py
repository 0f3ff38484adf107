"""Ignore comments: what they silence, and ``invalid-ignore`` for the ones that cannot."""

from __future__ import annotations

from migsafe.lint.config import LintConfig
from migsafe.lint.model import LintResult
from migsafe.lint.suppress import ignores
from tests.lint.support import HEADER, lint_source, rule_ids

INDEX = 'op.create_index("ix_orders_created_at", "orders", ["created_at"])'


def lint_with(upgrade_lines: list[str], *, prelude: str = "") -> LintResult:
    source = (
        HEADER.format(doc="Add an index")
        + prelude
        + "def upgrade():\n"
        + "".join(f"    {line}\n" for line in upgrade_lines)
        + "\n\ndef downgrade():\n    op.drop_index('ix_orders_created_at')\n"
    )
    return lint_source(source)


def test_without_a_comment_the_finding_is_reported() -> None:
    assert rule_ids(lint_with([INDEX])) == {"index-not-concurrent"}


def test_trailing_comment_silences_its_line() -> None:
    result = lint_with([INDEX + "  # migsafe: ignore[index-not-concurrent] orders has 40 rows"])
    assert rule_ids(result) == set()
    [kept] = result.suppressed
    assert kept.rule == "index-not-concurrent" and kept.reason == "orders has 40 rows"


def test_comment_above_a_multi_line_call_silences_the_call() -> None:
    result = lint_with(
        [
            "# migsafe: ignore[index-not-concurrent] built before the table is used (TICKET-12)",
            "op.create_index(",
            '    "ix_orders_created_at",',
            '    "orders",',
            '    ["created_at"],',
            ")",
        ]
    )
    assert rule_ids(result) == set()
    assert [s.rule for s in result.suppressed] == ["index-not-concurrent"]


def test_comment_above_silences_only_the_next_statement() -> None:
    result = lint_with(
        [
            "# migsafe: ignore[index-not-concurrent] orders is tiny",
            INDEX,
            'op.create_index("ix_orders_state", "orders", ["state"])',
        ]
    )
    assert [f.line for f in result.findings if f.rule == "index-not-concurrent"] == [13]


def test_ignore_file_silences_the_whole_file() -> None:
    result = lint_with(
        [INDEX, 'op.create_index("ix_orders_state", "orders", ["state"])'],
        prelude="# migsafe: ignore-file[index-not-concurrent] staging-only table\n\n",
    )
    assert rule_ids(result) == set()
    assert len(result.suppressed) == 2


def test_several_ids_in_one_comment() -> None:
    result = lint_with(
        [
            'op.execute("LOCK TABLE orders")  '
            "# migsafe: ignore[lock-table, index-not-concurrent] maintenance window",
        ]
    )
    assert rule_ids(result) == set()


def test_ignoring_another_rule_silences_nothing() -> None:
    result = lint_with([INDEX + "  # migsafe: ignore[lock-table] not this one"])
    assert rule_ids(result) == {"index-not-concurrent"}


def test_missing_reason_is_invalid_and_silences_nothing() -> None:
    result = lint_with([INDEX + "  # migsafe: ignore[index-not-concurrent]"])
    assert rule_ids(result) == {"index-not-concurrent", "invalid-ignore"}
    [invalid] = [f for f in result.findings if f.rule == "invalid-ignore"]
    assert invalid.line == 11 and "no reason" in invalid.message
    assert result.suppressed == ()


def test_unknown_rule_id_is_invalid() -> None:
    result = lint_with([INDEX + "  # migsafe: ignore[index-not-concurent] typo in the id"])
    assert rule_ids(result) == {"index-not-concurrent", "invalid-ignore"}
    [invalid] = [f for f in result.findings if f.rule == "invalid-ignore"]
    assert "index-not-concurent" in invalid.message


def test_empty_brackets_are_invalid() -> None:
    result = lint_with([INDEX + "  # migsafe: ignore[] because"])
    assert "invalid-ignore" in rule_ids(result)


def test_invalid_ignore_can_be_turned_off() -> None:
    source = (
        HEADER.format(doc="x")
        + "def upgrade():\n    "
        + INDEX
        + "  # migsafe: ignore[index-not-concurrent]\n\n\ndef downgrade():\n    pass\n"
    )
    result = lint_source(source, config=LintConfig(off=frozenset({"invalid-ignore"})))
    assert "invalid-ignore" not in rule_ids(result)


def test_comment_text_inside_a_string_is_not_an_ignore() -> None:
    assert ignores('x = "# migsafe: ignore[lock-table] not a comment"\n') == []
