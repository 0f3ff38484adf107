"""Rich text for ``migsafe lint --explain``: one rule in full, or the list of rules."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from migsafe.lint.model import Rule


def explain(console: Console, rule: Rule) -> None:
    console.print(f"[bold]{rule.id}[/] ({rule.severity.value}): {escape(rule.summary)}")
    console.print(f"\n[bold]Why[/]: {escape(rule.why)}")
    console.print("\n[bold]Fix[/]:")
    for line in rule.fix.splitlines():
        console.print(f"  {escape(line)}", soft_wrap=True)
    console.print(
        escape(
            f"\nSilence one finding with a reason: # migsafe: ignore[{rule.id}] why it is safe"
            f'\nChange its severity: [tool.migsafe.lint] severity = {{ {rule.id} = "warning" }}'
            "\nMore: docs/lint.md"
        ),
        soft_wrap=True,
    )


def listing(console: Console, rules: Sequence[Rule]) -> None:
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    table.add_column("rule", no_wrap=True)
    table.add_column("severity", no_wrap=True)
    table.add_column("flags")
    for rule in rules:
        table.add_row(rule.id, rule.severity.value, escape(rule.summary))
    console.print(table)
