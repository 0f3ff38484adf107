"""Every corpus revision lints, alone and offline, to exactly the rule ids its ``# expect:``
line states: what a careful PostgreSQL reviewer would flag in it, and nothing else.

Labels may name rules not written yet (the registry skips a missing module); until they are,
those labels are not asserted, but every label must be a planned rule id.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from migsafe.lint.rules import _MODULES, RULES
from tests.lint.support import CORPUS, corpus_files, expected, lint_source, rule_ids

PLANNED = {name.replace("_", "-") for name in _MODULES}


@pytest.mark.parametrize(
    "path", corpus_files(), ids=lambda p: str(p.relative_to(CORPUS)).removesuffix(".py")
)
def test_corpus_file_lints_to_its_labels(path: Path) -> None:
    labels = expected(path)
    assert labels <= PLANNED, f"unknown rule ids in the label: {sorted(labels - PLANNED)}"
    result = lint_source(path.read_text())
    found = rule_ids(result)
    assert found == labels & set(RULES), [(f.rule, f.line, f.message) for f in result.findings]
