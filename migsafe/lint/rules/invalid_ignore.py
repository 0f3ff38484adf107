"""invalid-ignore: an ignore comment without a reason, or naming no known rule.

Why: ``# migsafe: ignore[rule-id] reason`` is the record of a decision; without the reason the
next reader cannot tell a judgement from a silenced alarm, and a misspelt id silences nothing.

Instead: name the rule (``migsafe lint --explain`` lists them) and say why it is safe here,
e.g. ``# migsafe: ignore[index-not-concurrent] table has 40 rows, see TICKET-12``.

The run reports this rule itself, from the comments; it has no check of its own.
"""

from __future__ import annotations

from migsafe.lint.model import Rule, Severity

RULE = Rule(
    id="invalid-ignore",
    severity=Severity.ERROR,
    summary="an ignore comment without a reason or with an unknown rule id",
    why="a suppression without a reason hides a risk without recording the decision",
    fix="write `# migsafe: ignore[rule-id] why it is safe here`",
    size_matters=False,
)
