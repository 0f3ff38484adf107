"""``migsafe lint``: risk analysis of migrations before anything runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from migsafe.api._common import not_blank, privileges_named
from migsafe.errors import ConfigError, UsageError
from migsafe.settings import Settings

if TYPE_CHECKING:
    from migsafe.lint.model import LintResult, Rule


@privileges_named
def lint(
    settings: Settings,
    target: str = "heads",
    *,
    revision_range: str | None = None,
    all_revisions: bool = False,
    fail_on: str | None = None,
) -> LintResult:
    """Check migrations for risky patterns (locks, rewrites, breaking changes) before they run.

    By default the pending revisions of the target database up to TARGET, with its catalog
    (table sizes, column types, server version) as context; ``revision_range`` ("A:B") or
    ``all_revisions``: offline, without a database.
    """
    from migsafe.engine import runner
    from migsafe.engine.project import upgrade_steps
    from migsafe.lint import service
    from migsafe.lint.config import parse_fail_on
    from migsafe.lint.run import FROM_CONFIG

    not_blank(target, "TARGET")
    if revision_range is not None and all_revisions:
        raise UsageError("--range and --all cannot be used together")
    if revision_range is not None:
        not_blank(revision_range, "--range")
    if target != "heads" and (revision_range is not None or all_revisions):
        raise UsageError(
            f"TARGET {target!r} and --range/--all cannot be used together",
            hint="--range START:END names the revisions offline; TARGET ends the pending ones",
        )
    level: object = FROM_CONFIG
    if fail_on is not None:
        try:
            level = parse_fail_on(fail_on)
        except ConfigError as exc:
            raise UsageError(exc.message) from None
    if revision_range is not None or all_revisions:
        return service.lint_range(settings, revision_range, fail_on=level)
    _, session = runner.open_run(settings, dry_run=True)
    try:
        steps = upgrade_steps(session.project, target, session.heads)
        return service.lint_session(session, steps, fail_on=level)
    finally:
        session.close()


def lint_rule(rule_id: str) -> Rule:
    """The rule ``rule_id`` (for ``migsafe lint --explain``)."""
    from migsafe.lint.rules import RULES

    rule = RULES.get(rule_id.strip())
    if rule is None:
        import difflib

        close = difflib.get_close_matches(rule_id, list(RULES), n=3)
        raise UsageError(
            f"no lint rule {rule_id!r}",
            hint=("did you mean " + ", ".join(close) + "? " if close else "")
            + "`migsafe lint --explain all` lists the rules",
        )
    return rule


def lint_rules() -> list[Rule]:
    from migsafe.lint.rules import RULES

    return list(RULES.values())
