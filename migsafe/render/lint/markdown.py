"""``migsafe lint --format markdown``: a pull request comment.

A heading with the verdict, a table of the findings (severity, rule, ``path:line``, message),
then one collapsed ``<details>`` per finding with why it matters and the fix in a Python
block; the number of ignored findings and the run's notes at the end. Plain text markers
(``**ERROR**``), no emoji: the comment reads the same in an e-mail notification.
"""

from __future__ import annotations

import html
from pathlib import Path

from migsafe.lint.model import Finding, LintResult, Severity
from migsafe.render.lint._common import (
    fail_on_text,
    location,
    plural,
    shown_path,
    summary_line,
)

MARKERS = {Severity.ERROR: "**ERROR**", Severity.WARNING: "**WARNING**", Severity.INFO: "info"}


def render(result: LintResult, *, cwd: Path | None = None) -> str:
    parts = [_heading(result), ""]
    if result.findings:
        parts += [summary_line(result), "", *_table(result, cwd), ""]
        for finding in result.findings:
            parts += [*_details(finding, cwd), ""]
    else:
        parts += [f"No findings in {plural(len(result.revisions), 'revision')}.", ""]
    if result.suppressed:
        parts += [f"{plural(len(result.suppressed), 'finding')} ignored by comments.", ""]
    if result.notes:
        parts += ["**Notes**", ""]
        parts += [f"- {_inline(note)}" for note in result.notes]
        parts.append("")
    return "\n".join(parts).rstrip("\n") + "\n"


def _heading(result: LintResult) -> str:
    if result.failed:
        return f"## migsafe lint: failed (fail-on {fail_on_text(result)})"
    if result.findings:
        return f"## migsafe lint: passed with findings (fail-on {fail_on_text(result)})"
    return "## migsafe lint: passed"


def _table(result: LintResult, cwd: Path | None) -> list[str]:
    rows = ["| severity | rule | location | message |", "| --- | --- | --- | --- |"]
    for f in result.findings:
        message = f.message + (f" (live: {f.estimate})" if f.estimate else "")
        where = location(shown_path(f.path, cwd), f.line)
        rows.append(f"| {MARKERS[f.severity]} | `{f.rule}` | {_code(where)} | {_cell(message)} |")
    return rows


def _details(finding: Finding, cwd: Path | None) -> list[str]:
    where = location(shown_path(finding.path, cwd), finding.line)
    lines = [
        "<details>",
        f"<summary>{html.escape(finding.rule)} at {html.escape(where)}</summary>",
        "",
        _inline(finding.message),
    ]
    if finding.why:
        lines += ["", f"Why: {_inline(finding.why)}"]
    if finding.fix:
        fence = _fence(finding.fix)
        lines += ["", "Fix:", "", f"{fence}python", finding.fix, fence]
    lines += ["", "</details>"]
    return lines


def _inline(text: str) -> str:
    """One paragraph of Markdown: newlines joined, HTML that GitHub would render neutralised."""
    return " ".join(html.escape(text, quote=False).split())


def _cell(text: str) -> str:
    """A table cell: one line, ``|`` escaped (it would end the cell)."""
    return _inline(text).replace("|", "\\|")


def _code(text: str) -> str:
    """An inline code span that holds *text* whatever backticks it has."""
    text = " ".join(text.split()).replace("|", "\\|")
    ticks = "`" * (_longest_run(text, "`") + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    return f"{ticks}{padded}{ticks}"


def _longest_run(text: str, char: str) -> int:
    longest = current = 0
    for c in text:
        current = current + 1 if c == char else 0
        longest = max(longest, current)
    return longest


def _fence(code: str) -> str:
    """A code fence longer than any backtick run inside the code."""
    return "`" * max(3, _longest_run(code, "`") + 1)
