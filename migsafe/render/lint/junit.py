"""``migsafe lint --format junit``: JUnit XML, for CI systems that show test reports.

One ``<testsuite name="migsafe lint">`` (inside ``<testsuites>``) with a ``<testcase>`` per
revision linted (``classname="migsafe.lint"``, ``name="<revision> <path>"``). A revision with
findings at or above ``fail_on`` fails: its ``<failure>`` message gives the count and the
first rule, its text every such finding with the fix. Findings below ``fail_on`` (all of them
when nothing fails the run) are listed in the case's ``<system-out>``; they do not fail it.
Ignored findings are counted in the suite's ``suppressed`` property; notes are its
``<system-out>``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from migsafe.lint.model import Finding, LintResult
from migsafe.render.lint._common import (
    Group,
    by_revision,
    fail_on_text,
    fails,
    location,
    plural,
    shown_path,
)

SUITE = "migsafe lint"
CLASSNAME = "migsafe.lint"
# Characters XML 1.0 cannot hold at all, even escaped: a report that does not parse is lost.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def render(result: LintResult, *, cwd: Path | None = None) -> str:
    groups = by_revision(result)
    failing = [g for g in groups if any(fails(result, f) for f in g.findings)]
    counts = {
        "tests": str(len(groups)),
        "failures": str(len(failing)),
        "errors": "0",
        "skipped": "0",
        "time": "0",
    }
    root = ET.Element("testsuites", {"name": SUITE, **counts})
    suite = ET.SubElement(root, "testsuite", {"name": SUITE, **counts})
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("fail_on", fail_on_text(result)),
        ("findings", str(len(result.findings))),
        ("suppressed", str(len(result.suppressed))),
        ("offline", "true" if result.offline else "false"),
    ):
        ET.SubElement(properties, "property", {"name": name, "value": value})
    for group in groups:
        _case(suite, result, group, cwd)
    if result.notes:
        ET.SubElement(suite, "system-out").text = _clean(
            "\n".join(f"note: {n}" for n in result.notes)
        )
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _case(suite: ET.Element, result: LintResult, group: Group, cwd: Path | None) -> None:
    path = shown_path(group.path, cwd)
    name = f"{group.revision} {path}".strip()
    attributes = {"classname": CLASSNAME, "name": _clean(name), "time": "0"}
    if path:
        attributes["file"] = _clean(path)
    case = ET.SubElement(suite, "testcase", attributes)
    failing = [f for f in group.findings if fails(result, f)]
    passing = [f for f in group.findings if not fails(result, f)]
    if failing:
        message = (
            f"{plural(len(failing), 'finding')} at or above {fail_on_text(result)}; "
            f"first: {failing[0].rule}"
        )
        failure = ET.SubElement(
            case, "failure", {"message": _clean(message), "type": failing[0].severity.value}
        )
        failure.text = _clean("\n\n".join(_finding(f, cwd) for f in failing))
    if passing:
        ET.SubElement(case, "system-out").text = _clean(
            "\n\n".join(_finding(f, cwd) for f in passing)
        )


def _finding(finding: Finding, cwd: Path | None) -> str:
    lines = [
        f"{finding.severity.value} {finding.rule} "
        f"{location(shown_path(finding.path, cwd), finding.line)}",
        finding.message,
    ]
    if finding.estimate:
        lines.append(f"live: {finding.estimate}")
    if finding.why:
        lines.append(f"why: {finding.why}")
    if finding.fix:
        lines.append(f"fix: {finding.fix}")
    return "\n".join(lines)
