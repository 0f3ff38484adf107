"""Lint what a command is about to run: the pending revisions, a range, or the whole chain."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace

import sqlalchemy as sa
from alembic.runtime.migration import RevisionStep

from migsafe.engine.plan import Plan
from migsafe.engine.project import Project, load_config, load_project, upgrade_steps
from migsafe.engine.session import Session
from migsafe.errors import LintRefused, UsageError
from migsafe.lint import config as lint_config
from migsafe.lint.context import Live
from migsafe.lint.inputs import collect
from migsafe.lint.model import Finding, LintResult, Severity
from migsafe.lint.run import FROM_CONFIG, lint
from migsafe.redaction import exception_line
from migsafe.settings import Settings

# Offline, revisions render for PostgreSQL: the rules are PostgreSQL's.
_OFFLINE_URL = "postgresql://"


def load_config_for(settings: Settings) -> lint_config.LintConfig:
    from migsafe.lint.rules import RULES

    return lint_config.load(settings.extra, set(RULES))


def lint_steps(
    settings: Settings,
    project: Project,
    steps: Sequence[RevisionStep],
    *,
    url: sa.URL | str = _OFFLINE_URL,
    live: Live | None = None,
    fail_on: Severity | object | None = FROM_CONFIG,
    notes: Sequence[str] = (),
    each_alone: bool = False,
) -> LintResult:
    config = load_config_for(settings)
    inputs, trace_notes = collect(project, url, steps)
    return lint(
        inputs,
        config=config,
        live=live,
        lock_timeout=settings.lock_timeout,
        statement_timeout=settings.statement_timeout,
        fail_on=fail_on,
        notes=(*notes, *trace_notes),
        each_alone=each_alone,
    )


def lint_range(
    settings: Settings, revision_range: str | None, *, fail_on: Severity | object | None
) -> LintResult:
    """``--range A:B``: offline, one deploy of A's successors up to B (a table created in the
    range is new for the rest of it). ``--all`` (None): every revision, each as a deploy of its
    own (what each did to the tables before it)."""
    project = load_project(settings, load_config(settings))
    start, end = _split_range(revision_range or "base:heads")
    heads: tuple[str, ...] = () if start in ("", "base") else (start,)
    steps = upgrade_steps(project, end or "heads", heads)
    if not steps and heads and end not in ("", "heads", "head") and end != start:
        backwards = upgrade_steps(project, start, (end,))
        if backwards:
            raise UsageError(
                f"--range {start}:{end}: {start} comes after {end}",
                hint=f"the range runs forward, from START to END: --range {end}:{start}",
            )
    return lint_steps(settings, project, steps, fail_on=fail_on, each_alone=revision_range is None)


def _split_range(text: str) -> tuple[str, str]:
    if text.count(":") != 1:
        raise UsageError(
            f"--range must be START:END (revisions, 'base', 'heads'), not {text!r}",
            hint="e.g. --range base:heads, --range ae1027a6acf:heads",
        )
    start, end = (part.strip() for part in text.split(":"))
    return start, end


def lint_session(
    session: Session,
    steps: Sequence[RevisionStep],
    *,
    fail_on: Severity | object | None = FROM_CONFIG,
) -> LintResult:
    """The pending ``steps`` of ``session``'s database, with its catalog as live context."""
    notes: list[str] = []
    if session.is_sqlite:
        notes.append("the target is SQLite: the findings describe these revisions on PostgreSQL")
        return lint_steps(session.settings, session.project, steps, fail_on=fail_on, notes=notes)
    with _live(session) as live:
        return lint_steps(
            session.settings,
            session.project,
            steps,
            url=session.url,
            live=live,
            fail_on=fail_on,
            notes=notes,
        )


@contextmanager
def _live(session: Session) -> Iterator[Live | None]:
    from migsafe.lint.live import PgLive

    with session.engine.connect() as conn:
        yield PgLive(conn)


def finding_line(finding: Finding) -> str:
    """One finding on one line, as a plan shows and stores it."""
    where = f"{finding.revision}" + (f" line {finding.line}" if finding.line else "")
    estimate = f" [{finding.estimate}]" if finding.estimate else ""
    return f"{finding.severity.value} {finding.rule} ({where}): {finding.message}{estimate}"


def lint_plan(session: Session, plan: Plan, steps: Sequence[RevisionStep]) -> Plan:
    """``plan`` with the lint findings of its steps; refused under ``mode = "enforce"``.

    Upgrades of PostgreSQL only: the rules are PostgreSQL's. In the default ``warn`` mode a
    lint that cannot run (a bug of migsafe's, a revision it cannot read) is a note, never
    the reason a deploy fails.
    """
    config = load_config_for(session.settings)
    if config.mode == "off" or session.is_sqlite or not steps:
        return plan
    try:
        result = lint_session(session, steps, fail_on=Severity.ERROR)
    except Exception as exc:
        if config.mode == "enforce":
            raise
        note = f"lint could not run: {exception_line(exc, 200)}"
        return replace(plan, notes=(*plan.notes, note))
    plan = replace(plan, lint=tuple(finding_line(f) for f in result.findings))
    errors = [f for f in result.findings if f.severity == Severity.ERROR]
    if config.mode == "enforce" and errors:
        first = errors[0]
        raise LintRefused(
            f"lint: {len(errors)} error finding(s) in the plan, first: {finding_line(first)}",
            hint="`migsafe lint` shows them with their fixes; silence one that is safe with "
            f"`# migsafe: ignore[{first.rule}] reason`, or set [tool.migsafe.lint] mode = "
            '"warn"',
        )
    return plan
