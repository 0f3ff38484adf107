"""``migsafe lint`` for people: findings grouped by revision, each with why and how to fix it.

::

    3f1c2a9b7d10  migrations/versions/3f1c2a9b7d10_orders_index.py
      error  index-not-concurrent  migrations/versions/3f1c2a9b7d10_orders_index.py:14
        CREATE INDEX ix_orders_created_at on orders without CONCURRENTLY (SHARE lock)
        live: 1.2M rows / 240 MB
        why: blocks INSERT/UPDATE/DELETE on the table (SHARE lock) for the whole index build
        fix: build it with CONCURRENTLY outside the transaction:
                 with op.get_context().autocommit_block():
                     ...

    1 error, 0 warnings, 0 info in 1 revision; 0 suppressed; fail-on error: FAILED
    note: ... (dimmed)

A run without findings is one line, ``no findings in N revisions`` (and its notes).
"""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from migsafe.lint.model import Finding, LintResult, Severity
from migsafe.render.lint._common import (
    by_revision,
    location,
    plural,
    shown_path,
    summary_line,
)

STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
# Without a terminal to measure: room for a whole finding line, as the CLI's pipe width does.
DEFAULT_WIDTH = 120
_INDENT = 4


def render(
    result: LintResult, *, color: bool = False, width: int | None = None, cwd: Path | None = None
) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        width=width or DEFAULT_WIDTH,
        highlight=False,
        emoji=False,
        markup=False,
    )
    if not result.findings:
        line = f"no findings in {plural(len(result.revisions), 'revision')}"
        if result.suppressed:
            line += f"; {len(result.suppressed)} suppressed"
        console.print(line, style="green")
    else:
        _findings(console, result, cwd)
        console.print(summary_line(result), style="bold red" if result.failed else "bold")
    for note in result.notes:
        console.print(Text(f"note: {note}", style="dim"))
    # Padding fills wrapped lines to the width with spaces: none are left at line ends.
    return "\n".join(line.rstrip(" ") for line in buffer.getvalue().split("\n"))


def _findings(console: Console, result: LintResult, cwd: Path | None) -> None:
    for group in by_revision(result):
        if not group.findings:
            continue
        header = Text.assemble((group.revision, "bold cyan"))
        if group.path:
            header.append(f"  {shown_path(group.path, cwd)}")
        console.print(header)
        for finding in group.findings:
            _finding(console, finding, cwd)
        console.print()


def _finding(console: Console, finding: Finding, cwd: Path | None) -> None:
    head = Text.assemble(
        (finding.severity.value, STYLES[finding.severity]),
        "  ",
        (finding.rule, "bold"),
        "  ",
        location(shown_path(finding.path, cwd), finding.line),
    )
    console.print(Padding(head, (0, 0, 0, 2), expand=False))
    body = [Text(finding.message)]
    if finding.estimate:
        body.append(Text(f"live: {finding.estimate}", style="magenta"))
    if finding.why:
        body.append(Text.assemble(("why: ", "dim"), finding.why))
    for line in body:
        console.print(Padding(line, (0, 0, 0, _INDENT), expand=False))
    if finding.fix:
        _recipe(console, finding.fix)


def _recipe(console: Console, fix: str) -> None:
    """The fix as written: its code lines are not re-wrapped, so they can be copied."""
    lines = fix.splitlines()
    prefix = " " * _INDENT
    console.print(
        Text.assemble(prefix, ("fix: ", "green"), lines[0]), soft_wrap=True, overflow="ignore"
    )
    for line in lines[1:]:
        console.print(prefix + " " * len("fix: ") + line, soft_wrap=True, overflow="ignore")
