"""migsafe lint on the labelled corpus: what it finds must be what a PostgreSQL expert says.

Every corpus revision lints, alone and offline, to exactly the rule ids its ``# expect:`` line
states: what a careful PostgreSQL reviewer would flag in it, and nothing else. Labels may name
rules not written yet (the registry skips a missing module); until they are, the per-file test
does not assert those labels, but every label must be a planned rule id.

Over the whole corpus, micro-averaged over (file, rule id) pairs (tests/lint/scoring.py, what
benchmarks/bench_lint.py prints beside squawk's), precision and recall are held at 0.95 and the
corpus must be big and varied enough for those figures to mean something: precision is the
point of a linter people keep switched on (every false alarm teaches them to add ignore
comments), recall the point of having one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from migsafe.lint.rules import _MODULES, RULES
from tests.lint import scoring
from tests.lint.support import CORPUS, corpus_files, expected, lint_source, rule_ids

PLANNED = {name.replace("_", "-") for name in _MODULES}
BAR = 0.95
MIN_FILES = 80
INVALID_IGNORE = "invalid-ignore"  # about comments, not SQL: its tests are its own


@pytest.mark.parametrize(
    "path", corpus_files(), ids=lambda p: str(p.relative_to(CORPUS)).removesuffix(".py")
)
def test_corpus_file_lints_to_its_labels(path: Path) -> None:
    labels = expected(path)
    assert labels <= PLANNED, f"unknown rule ids in the label: {sorted(labels - PLANNED)}"
    result = lint_source(path.read_text())
    found = rule_ids(result)
    assert found == labels & set(RULES), [(f.rule, f.line, f.message) for f in result.findings]


def test_every_corpus_file_is_linted_alone_and_says_what_to_expect() -> None:
    problems = scoring.missing_header_lines()
    assert not problems, "\n".join(problems)


def test_the_corpus_is_big_enough_to_mean_something() -> None:
    count = len(scoring.corpus_files())
    assert count >= MIN_FILES, f"{count} corpus files, want >= {MIN_FILES}"


def test_every_label_names_a_registered_rule() -> None:
    problems = scoring.unknown_labels(scoring.labels(), RULES)
    assert not problems, "labels naming no registered rule:\n" + "\n".join(problems)


def test_every_rule_has_positive_files_and_a_lookalike() -> None:
    rules = [r for r in RULES if r != INVALID_IGNORE]
    problems = scoring.thin_rules(scoring.labels(), rules)
    assert not problems, "\n".join(problems)


def test_migsafe_finds_what_the_labels_say() -> None:
    expect = scoring.labels()
    result = scoring.score(scoring.migsafe_found(), expect)
    assert result.precision >= BAR and result.recall >= BAR, (
        f"on {len(expect)} corpus files (bar {BAR}): {result.report()}"
    )
