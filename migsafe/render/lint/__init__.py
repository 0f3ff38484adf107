"""The formats ``migsafe lint`` reports in, one module each, all pure: a result in, text out.

``text`` for people, ``json`` for scripts, ``github`` for annotations in GitHub Actions,
``sarif`` for code scanning, ``junit`` for CI test reports, ``markdown`` for a pull request
comment.
"""

from __future__ import annotations

from migsafe.lint.model import LintResult

FORMATS = ("text", "json", "github", "sarif", "junit", "markdown")


def render(result: LintResult, fmt: str, *, color: bool = False, width: int | None = None) -> str:
    """*result* in the format *fmt* (one of :data:`FORMATS`); only ``text`` uses color/width."""
    # Each format is imported when asked for: the CLI prints one per run.
    if fmt == "text":
        from migsafe.render.lint import text

        return text.render(result, color=color, width=width)
    if fmt == "json":
        from migsafe.render.lint import jsondoc

        return jsondoc.render(result)
    if fmt == "github":
        from migsafe.render.lint import github

        return github.render(result)
    if fmt == "sarif":
        from migsafe.render.lint import sarif

        return sarif.render(result)
    if fmt == "junit":
        from migsafe.render.lint import junit

        return junit.render(result)
    if fmt == "markdown":
        from migsafe.render.lint import markdown

        return markdown.render(result)
    raise ValueError(f"unknown lint format {fmt!r}: one of {', '.join(FORMATS)}")
