"""How well a linter's findings match the corpus labels: shared by tests/lint/test_corpus.py and
benchmarks/bench_lint.py, so that the test's bar and the benchmark's figures are one computation.

A corpus file (tests/lint/corpus/<rule module>/NN_name.py) is a whole revision whose
``# expect:`` line names every rule id a careful PostgreSQL expert would raise on it. Scoring
compares, per file, the set of ids a linter found with that set: each (file, rule id) pair is a
true positive, a false positive or a false negative, and precision and recall are micro-averaged
over those pairs (a corpus of many files for one rule weighs that rule more, as it should: the
corpus is shaped like the migrations people write).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tests.lint.support import CORPUS, expected, lint_source, rule_ids

Labels = Mapping[str, set[str]]
"""Corpus file (its path relative to the corpus root) -> rule ids."""

_DOWN_REVISION_NONE = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*None\s*$", re.MULTILINE)
_EXPECT_LINE = re.compile(r"^#\s*expect:", re.MULTILINE)


def corpus_files(root: Path = CORPUS) -> list[Path]:
    """The corpus files under ``root`` (files starting with ``_`` are helpers, not cases)."""
    return sorted(p for p in root.rglob("*.py") if not p.name.startswith("_"))


def name_of(path: Path, root: Path = CORPUS) -> str:
    return path.relative_to(root).as_posix()


def labels(root: Path = CORPUS) -> dict[str, set[str]]:
    """Every corpus file's ``# expect:`` ids."""
    return {name_of(p, root): expected(p) for p in corpus_files(root)}


def migsafe_found(root: Path = CORPUS, files: Iterable[Path] | None = None) -> dict[str, set[str]]:
    """The rule ids migsafe reports on each corpus file, linted alone and offline; every
    severity counts (a warning the label does not name is a false positive all the same)."""
    paths = corpus_files(root) if files is None else files
    return {name_of(p, root): rule_ids(lint_source(p.read_text())) for p in paths}


@dataclass(frozen=True)
class Score:
    """Micro-averaged agreement of findings with labels over (file, rule id) pairs."""

    true_positives: int
    false_positives: tuple[tuple[str, str], ...] = field(default=())
    false_negatives: tuple[tuple[str, str], ...] = field(default=())

    @property
    def precision(self) -> float:
        # Nothing reported: nothing reported wrongly.
        found = self.true_positives + len(self.false_positives)
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        labelled = self.true_positives + len(self.false_negatives)
        return self.true_positives / labelled if labelled else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def report(self) -> str:
        """Every false positive and false negative, one line each, for a failing test."""
        lines = [f"precision {self.precision:.3f}, recall {self.recall:.3f}"]
        lines += [f"  false positive: {f}: {r}" for f, r in self.false_positives]
        lines += [f"  false negative: {f}: {r}" for f, r in self.false_negatives]
        return "\n".join(lines)


def score(found: Labels, expect: Labels, *, only: Collection[str] | None = None) -> Score:
    """Compare ``found`` with ``expect`` on the files of ``expect``; ``only``: just those ids."""
    tp = 0
    fps: list[tuple[str, str]] = []
    fns: list[tuple[str, str]] = []
    for name in sorted(expect):
        want = expect[name]
        got = found.get(name, set())
        if only is not None:
            want, got = want & set(only), got & set(only)
        tp += len(want & got)
        fps += [(name, r) for r in sorted(got - want)]
        fns += [(name, r) for r in sorted(want - got)]
    return Score(tp, tuple(fps), tuple(fns))


@dataclass(frozen=True)
class RuleCount:
    labelled: int  # files whose label names the rule
    true_positives: int
    false_positives: int
    false_negatives: int


def per_rule(found: Labels, expect: Labels) -> dict[str, RuleCount]:
    """Per rule id (labelled or found), its files' counts."""
    ids = sorted({r for s in expect.values() for r in s} | {r for s in found.values() for r in s})
    counts = {}
    for rule in ids:
        s = score(found, expect, only={rule})
        counts[rule] = RuleCount(
            sum(rule in want for want in expect.values()),
            s.true_positives,
            len(s.false_positives),
            len(s.false_negatives),
        )
    return counts


# The corpus's own shape, checked by tests/lint/test_corpus.py (each returns what is wrong).


def missing_header_lines(root: Path = CORPUS) -> list[str]:
    """Files without ``down_revision = None`` (each is linted alone) or an ``# expect:`` line."""
    problems = []
    for path in corpus_files(root):
        text = path.read_text()
        if not _DOWN_REVISION_NONE.search(text):
            problems.append(f"{name_of(path, root)}: no `down_revision = None`")
        if not _EXPECT_LINE.search(text):
            problems.append(f"{name_of(path, root)}: no `# expect:` line")
    return problems


def unknown_labels(expect: Labels, registered: Collection[str]) -> list[str]:
    """Labels that name no registered rule (a typo, or a rule that does not exist)."""
    return [
        f"{name}: {rule}"
        for name, ids in sorted(expect.items())
        for rule in sorted(ids - set(registered))
    ]


def thin_rules(expect: Labels, rules: Iterable[str], *, positives: int = 2) -> list[str]:
    """Rules with fewer than ``positives`` files labelled with them, or no look-alike: a file
    in the rule's own folder (its module's name) whose label does not name it."""
    problems = []
    for rule in rules:
        folder = rule.replace("-", "_") + "/"
        hits = sum(rule in ids for ids in expect.values())
        lookalikes = sum(rule not in ids for name, ids in expect.items() if name.startswith(folder))
        if hits < positives:
            problems.append(f"{rule}: {hits} file(s) labelled with it, want >= {positives}")
        if lookalikes == 0:
            problems.append(f"{rule}: no file in {folder} labelled without it (a look-alike)")
    return problems
