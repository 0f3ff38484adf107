"""Apply the rules to a run's revisions, in order, and turn their hits into findings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from migsafe.lint.config import LintConfig
from migsafe.lint.context import Context, Live, TableStats, note
from migsafe.lint.model import (
    Finding,
    Hit,
    LintResult,
    RevisionInput,
    Rule,
    Severity,
    Suppressed,
)
from migsafe.lint.suppress import ignores

INVALID_IGNORE = "invalid-ignore"
FROM_CONFIG = object()  # fail_on not given: the config's


def lint(
    inputs: Sequence[RevisionInput],
    *,
    config: LintConfig,
    rules: Mapping[str, Rule] | None = None,
    live: Live | None = None,
    lock_timeout: float = 5.0,
    statement_timeout: float | None = None,
    fail_on: Severity | object | None = FROM_CONFIG,
    notes: Sequence[str] = (),
    each_alone: bool = False,
) -> LintResult:
    """Findings for ``inputs``, linted as one run (one deploy, one transaction, as `migsafe
    upgrade` runs them) or, ``each_alone``, each revision as a deploy of its own."""
    if rules is None:
        from migsafe.lint.rules import RULES

        rules = RULES
    active = [r for r in rules.values() if r.id not in config.off]

    def context(revisions: Sequence[RevisionInput]) -> Context:
        return Context(
            statements=[s for rev in revisions for s in rev.statements],
            live=live,
            assumed_version=config.server_version,
            lock_timeout=lock_timeout,
            statement_timeout=statement_timeout,
        )

    ctx = context(inputs)
    findings: list[Finding] = []
    suppressed: list[Suppressed] = []
    position = 0
    for rev in inputs:
        if each_alone:
            ctx, position = context([rev]), 0
        hits: list[tuple[Rule, Hit]] = []
        for stmt in rev.statements:
            ctx.position = position
            position += 1
            for rule in active:
                if rule.on_statement is not None:
                    hits.extend((rule, hit) for hit in rule.on_statement(stmt, ctx))
            note(ctx, stmt)
        for rule in active:
            if rule.on_revision is not None:
                hits.extend((rule, hit) for hit in rule.on_revision(rev, ctx))
        found = [_finding(rule, hit, rev, ctx, config) for rule, hit in hits]
        kept, silenced, invalid = _apply_ignores(rev, found, rules)
        if INVALID_IGNORE not in config.off and INVALID_IGNORE in rules:
            kept.extend(_finding(rules[INVALID_IGNORE], hit, rev, ctx, config) for hit in invalid)
        findings.extend(dict.fromkeys(kept))
        suppressed.extend(silenced)
    if fail_on is FROM_CONFIG:
        fail_on = config.fail_on
    assert fail_on is None or isinstance(fail_on, Severity)
    return LintResult(
        revisions=tuple(rev.revision for rev in inputs),
        findings=tuple(sorted(findings, key=_order(inputs))),
        fail_on=fail_on,
        suppressed=tuple(suppressed),
        server_version=live.server_version if live is not None else None,
        offline=live is None,
        notes=tuple(notes) + tuple(f"{rev.revision}: {n}" for rev in inputs for n in rev.notes),
        paths={rev.revision: rev.path for rev in inputs},
    )


def _order(inputs: Sequence[RevisionInput]):  # type: ignore[no-untyped-def]
    index = {rev.revision: i for i, rev in enumerate(inputs)}

    def key(f: Finding) -> tuple[int, int, str]:
        return index.get(f.revision, 0), f.line or 0, f.rule

    return key


def _finding(rule: Rule, hit: Hit, rev: RevisionInput, ctx: Context, config: LintConfig) -> Finding:
    severity = config.severity.get(rule.id) or hit.severity or rule.severity
    estimate = None
    if rule.size_matters and hit.table is not None:
        stats = ctx.stats(hit.table)
        if stats is not None:
            estimate = describe(stats)
            severity = _sized(severity, stats, config)
    return Finding(
        rule=rule.id,
        severity=severity,
        revision=rev.revision,
        path=rev.path,
        line=hit.line,
        message=hit.message,
        why=rule.why,
        fix=rule.fix,
        table=hit.table,
        estimate=estimate,
    )


def _sized(severity: Severity, stats: TableStats, config: LintConfig) -> Severity:
    # rows < 0: never analysed (PostgreSQL 14+ reports -1); the size on disk decides then.
    if stats.rows >= config.large_table_rows or stats.bytes >= config.large_table_bytes:
        return severity.raised()
    if stats.rows < config.small_table_rows and stats.bytes < 10 * 1024 * 1024:
        return severity.lowered()
    return severity


def describe(stats: TableStats) -> str:
    rows = "rows unknown (never analysed)" if stats.rows < 0 else f"{_count(stats.rows)} rows"
    return f"{rows} / {_bytes(stats.bytes)}"


def _count(n: int) -> str:
    for unit, size in (("G", 10**9), ("M", 10**6), ("k", 10**3)):
        if n >= size:
            return f"{n / size:.1f}{unit}".replace(".0", "")
    return str(n)


def _bytes(n: int) -> str:
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10)):
        if n >= size:
            return f"{n / size:.0f} {unit}"
    return f"{n} bytes"


def _apply_ignores(
    rev: RevisionInput, found: list[Finding], rules: Mapping[str, Rule]
) -> tuple[list[Finding], list[Suppressed], list[Hit]]:
    comments = ignores(rev.source)
    invalid: list[Hit] = []
    valid = []
    for ig in comments:
        unknown = sorted(r for r in ig.rules if r not in rules)
        if not ig.rules:
            invalid.append(Hit("ignore comment names no rule: ignore[rule-id] reason", ig.line))
        elif unknown:
            invalid.append(Hit(f"ignore comment names no known rule: {unknown[0]!r}", ig.line))
        elif not ig.reason:
            invalid.append(
                Hit(
                    f"ignore[{', '.join(sorted(ig.rules))}] has no reason: it silences nothing "
                    "until it says why",
                    ig.line,
                )
            )
        else:
            valid.append(ig)
    kept: list[Finding] = []
    silenced: list[Suppressed] = []
    for finding in found:
        match = next(
            (
                ig
                for ig in valid
                if finding.rule in ig.rules
                and (ig.applies_to is None or ig.applies_to == finding.line)
            ),
            None,
        )
        if match is None:
            kept.append(finding)
        else:
            silenced.append(Suppressed(finding.rule, rev.revision, finding.line, match.reason))
    return kept, silenced, invalid
