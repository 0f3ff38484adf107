"""``migsafe lint --format sarif``: a SARIF 2.1.0 log, for code scanning (GitHub, Azure...).

One run. Its driver lists every registered rule (id, a readable name, the summary as the
short description, the why as the full one, the fix as help, the default level), so a viewer
can explain a rule that found nothing this time; ``ruleIndex`` points into that list. Levels:
error -> ``error``, warning -> ``warning``, info -> ``note``.

Locations are relative to ``%SRCROOT%`` (the working directory, given as an absolute URI in
``originalUriBaseIds``) when the file is under it, as code scanning wants repository-relative
paths; absolute ``file:`` URIs otherwise. Findings silenced by an ignore comment are results
too, with an ``inSource`` suppression whose justification is the comment's reason: viewers
show them as dismissed rather than not at all. The run's notes (where offline rendering
stopped...) are tool execution notifications.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from migsafe.lint.model import Finding, LintResult, Rule, Severity, Suppressed
from migsafe.render.lint._common import is_relative, registry, revision_path, shown_path
from migsafe.version import __version__

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "%SRCROOT%"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# The project has no public home page yet; set this and the driver gets informationUri.
INFORMATION_URI: str | None = None


def log(
    result: LintResult, *, rules: Mapping[str, Rule] | None = None, cwd: Path | None = None
) -> dict[str, Any]:
    """The SARIF log as data."""
    descriptors = _descriptors(result, registry(rules))
    index = {d["id"]: i for i, d in enumerate(descriptors)}
    driver: dict[str, Any] = {
        "name": "migsafe",
        "version": __version__,
        "semanticVersion": __version__,
    }
    if INFORMATION_URI:
        driver["informationUri"] = INFORMATION_URI
    driver["rules"] = descriptors
    base = cwd or Path.cwd()
    results = [_result(f, index, base) for f in result.findings]
    results += [_suppressed(s, result, index, descriptors, base) for s in result.suppressed]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": [
                            {"level": "note", "message": {"text": note}} for note in result.notes
                        ],
                    }
                ],
                "originalUriBaseIds": {SRCROOT: {"uri": _directory_uri(base)}},
                "results": results,
                "properties": {
                    "failOn": result.fail_on.value if result.fail_on is not None else None,
                    "failed": result.failed,
                    "offline": result.offline,
                    "serverVersion": result.server_version,
                    "revisions": list(result.revisions),
                },
            }
        ],
    }


def render(
    result: LintResult, *, rules: Mapping[str, Rule] | None = None, cwd: Path | None = None
) -> str:
    return json.dumps(log(result, rules=rules, cwd=cwd), indent=2, ensure_ascii=False) + "\n"


def _descriptors(result: LintResult, rules: Mapping[str, Rule]) -> list[dict[str, Any]]:
    """Every registered rule, then any rule a finding names that the registry lacks."""
    described = [_descriptor(r.id, r.severity, r.summary, r.why, r.fix) for r in rules.values()]
    known = set(rules)
    for finding in result.findings:
        if finding.rule not in known:
            known.add(finding.rule)
            described.append(
                _descriptor(finding.rule, finding.severity, "", finding.why, finding.fix)
            )
    for silenced in result.suppressed:
        if silenced.rule not in known:
            known.add(silenced.rule)
            described.append(_descriptor(silenced.rule, Severity.WARNING, "", "", ""))
    return described


def _descriptor(
    rule_id: str, severity: Severity, summary: str, why: str, fix: str
) -> dict[str, Any]:
    descriptor: dict[str, Any] = {
        "id": rule_id,
        "name": "".join(part.capitalize() for part in rule_id.split("-")),
        "shortDescription": {"text": summary or rule_id},
        "fullDescription": {"text": why or summary or rule_id},
        "defaultConfiguration": {"level": LEVELS[severity]},
    }
    if fix:
        markdown = (
            f"{why}\n\nInstead:\n\n```python\n{fix}\n```" if why else f"```python\n{fix}\n```"
        )
        descriptor["help"] = {"text": fix, "markdown": markdown}
    return descriptor


def _result(finding: Finding, index: Mapping[str, int], base: Path) -> dict[str, Any]:
    message = finding.message
    if finding.estimate:
        message += f" (live: {finding.estimate})"
    properties = {"revision": finding.revision}
    if finding.table:
        properties["table"] = finding.table
    if finding.estimate:
        properties["estimate"] = finding.estimate
    return {
        "ruleId": finding.rule,
        "ruleIndex": index[finding.rule],
        "level": LEVELS[finding.severity],
        "message": {"text": message},
        "locations": _locations(finding.path, finding.line, base),
        "properties": properties,
    }


def _suppressed(
    silenced: Suppressed,
    result: LintResult,
    index: Mapping[str, int],
    descriptors: list[dict[str, Any]],
    base: Path,
) -> dict[str, Any]:
    descriptor = descriptors[index[silenced.rule]]
    return {
        "ruleId": silenced.rule,
        "ruleIndex": index[silenced.rule],
        "level": descriptor["defaultConfiguration"]["level"],
        "message": {"text": descriptor["shortDescription"]["text"]},
        "locations": _locations(revision_path(result, silenced.revision), silenced.line, base),
        "suppressions": [{"kind": "inSource", "justification": silenced.reason}],
        "properties": {"revision": silenced.revision},
    }


def _locations(path: str, line: int | None, base: Path) -> list[dict[str, Any]]:
    if not path:
        return []
    shown = shown_path(path, base)
    artifact: dict[str, Any]
    if is_relative(shown):
        artifact = {"uri": quote(shown, safe="/"), "uriBaseId": SRCROOT}
    else:
        artifact = {"uri": Path(shown).as_uri()}
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if line is not None and line >= 1:
        physical["region"] = {"startLine": line}
    return [{"physicalLocation": physical}]


def _directory_uri(directory: Path) -> str:
    """SARIF wants a base URI to end with ``/``, so relative URIs resolve inside it."""
    uri = directory.resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"
