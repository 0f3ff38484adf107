"""What every lint format says the same way: locations, counts, the verdict, rule metadata."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from migsafe.lint.model import Finding, LintResult, Rule, Severity

# Most severe first: the order counts and verdicts are told in.
SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)


def registry(rules: Mapping[str, Rule] | None) -> Mapping[str, Rule]:
    """*rules*, or migsafe's registry when none are given (imported only then)."""
    if rules is not None:
        return rules
    from migsafe.lint.rules import RULES

    return RULES


def shown_path(path: str, cwd: Path | None = None) -> str:
    """*path* as CI tools want it: relative to the working directory when inside it.

    GitHub and SARIF viewers resolve paths against the checkout, so a path under the working
    directory (where CI runs from) is shown relative to it, with ``/``; one outside stays
    absolute rather than climbing out with ``..``. A relative path is already relative to the
    working directory and is kept.
    """
    if not path:
        return path
    candidate = Path(path)
    if not candidate.is_absolute():
        return PurePosixPath(*candidate.parts).as_posix()
    base = (cwd or Path.cwd()).resolve()
    try:
        return candidate.resolve().relative_to(base).as_posix()
    except ValueError:
        return str(candidate)


def is_relative(shown: str) -> bool:
    return bool(shown) and not Path(shown).is_absolute()


def location(path: str, line: int | None) -> str:
    """``path:line``, or the path alone when the line is not known."""
    return f"{path}:{line}" if line is not None else path


def counts(result: LintResult) -> dict[str, int]:
    """Findings per severity, every severity present (most severe first)."""
    found = {s.value: 0 for s in SEVERITIES}
    for finding in result.findings:
        found[finding.severity.value] += 1
    return found


def plural(count: int, noun: str) -> str:
    # "info" is a mass noun: "3 info", not "3 infos".
    return f"{count} {noun}" if count == 1 or noun == "info" else f"{count} {noun}s"


def fail_on_text(result: LintResult) -> str:
    return result.fail_on.value if result.fail_on is not None else "none"


def verdict(result: LintResult) -> str:
    return "FAILED" if result.failed else "passed"


def summary_line(result: LintResult) -> str:
    """``3 errors, 1 warning, 0 info in 5 revisions; 2 suppressed; fail-on error: FAILED``."""
    found = counts(result)
    severities = ", ".join(plural(found[s.value], s.value) for s in SEVERITIES)
    revisions = plural(len(result.revisions), "revision")
    return (
        f"{severities} in {revisions}; {len(result.suppressed)} suppressed; "
        f"fail-on {fail_on_text(result)}: {verdict(result)}"
    )


def fails(result: LintResult, finding: Finding) -> bool:
    """Whether *finding* alone makes the run fail (at or above ``fail_on``)."""
    return result.fail_on is not None and finding.severity.rank >= result.fail_on.rank


def revision_path(result: LintResult, revision: str) -> str:
    """The revision's file, from the result's paths or else from one of its findings."""
    if revision in result.paths:
        return result.paths[revision]
    return next((f.path for f in result.findings if f.revision == revision), "")


@dataclass(frozen=True)
class Group:
    """One revision and its findings, in the result's order."""

    revision: str
    path: str
    findings: tuple[Finding, ...]


def by_revision(result: LintResult) -> list[Group]:
    """Every revision of the run (findings of a revision not listed come last)."""
    order = list(result.revisions)
    order += [f.revision for f in result.findings if f.revision not in order]
    order = list(dict.fromkeys(order))
    return [
        Group(
            revision,
            revision_path(result, revision),
            tuple(f for f in result.findings if f.revision == revision),
        )
        for revision in order
    ]


def with_fix(message: str, fix: str) -> str:
    """``message. Fix: recipe`` without a doubled full stop."""
    if not fix:
        return message
    stop = "" if message.rstrip().endswith((".", "!", "?", ":")) else "."
    return f"{message.rstrip()}{stop} Fix: {fix}"
