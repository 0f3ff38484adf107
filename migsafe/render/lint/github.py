"""``migsafe lint --format github``: GitHub Actions workflow commands, one per finding.

``::error file=PATH,line=N,title=migsafe lint (rule-id)::message. Fix: recipe`` (``warning``
for warnings, ``notice`` for info) becomes an annotation on the pull request's diff. GitHub
matches ``file`` against the repository, so a path under the working directory (the checkout,
where CI runs) is given relative to it.

Escaping is GitHub's (the runner's ``command.ts``): in the message ``%``, CR and LF are
written ``%25``, ``%0D``, ``%0A`` (so a multi-line fix stays one command); in property values
``:`` and ``,`` too (``%3A``, ``%2C``), since they delimit properties.

After the commands: the notes (``note: ...``) and the summary line, as plain log lines.
"""

from __future__ import annotations

from pathlib import Path

from migsafe.lint.model import Finding, LintResult, Severity
from migsafe.render.lint._common import shown_path, summary_line, with_fix

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, cwd: Path | None = None) -> str:
    """The workflow command for one finding."""
    properties = []
    path = shown_path(finding.path, cwd)
    if path:
        properties.append(f"file={escape_property(path)}")
    if finding.line is not None:
        properties.append(f"line={finding.line}")
    properties.append(f"title={escape_property(f'migsafe lint ({finding.rule})')}")
    message = finding.message + (f" (live: {finding.estimate})" if finding.estimate else "")
    message = with_fix(message, finding.fix)
    return f"::{COMMANDS[finding.severity]} {','.join(properties)}::{escape_data(message)}"


def render(result: LintResult, *, cwd: Path | None = None) -> str:
    lines = [annotation(f, cwd) for f in result.findings]
    # A plain line that happened to start with "::" would be read as a command.
    lines += [f"note: {note}".replace("\n", " ") for note in result.notes]
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"
