"""Every rule is documented and registered the same way: id, docs entry, --explain."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from migsafe.lint.rules import _MODULES, RULES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "lint.md"


def _sections() -> dict[str, str]:
    text = DOCS.read_text()
    parts = re.split(r"^### `([a-z0-9-]+)`\s*$", text, flags=re.MULTILINE)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def test_every_planned_rule_module_exists() -> None:
    assert sorted(RULES) == sorted(m.replace("_", "-") for m in _MODULES)


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_rule_has_a_docs_entry_with_why_and_fix(rule_id: str) -> None:
    section = _sections().get(rule_id)
    assert section is not None, f"docs/lint.md has no '### `{rule_id}`' section"
    for part in ("**Why**", "**Fix**"):
        assert part in section, f"docs/lint.md's {rule_id} section has no {part}"


def test_no_docs_entry_for_a_rule_that_does_not_exist() -> None:
    assert set(_sections()) <= set(RULES)


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_rule_says_why_and_how_to_fix(rule_id: str) -> None:
    rule = RULES[rule_id]
    assert rule.summary and rule.why and rule.fix
    assert "\n" not in rule.why, "why is one line"
