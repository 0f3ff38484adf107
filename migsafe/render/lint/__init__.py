"""Placeholder until the renderers land (h-out)."""

from __future__ import annotations

import json

from migsafe.lint.model import LintResult
from migsafe.results import to_dict

FORMATS = ("text", "json", "github", "sarif", "junit", "markdown")


def render(result: LintResult, fmt: str, *, color: bool = False, width: int | None = None) -> str:
    lines = [f"{f.severity} {f.rule} {f.path}:{f.line} {f.message}" for f in result.findings]
    if fmt == "json":
        return json.dumps(to_dict(result), default=str, indent=2) + "\n"
    return "\n".join(lines) + "\n"
