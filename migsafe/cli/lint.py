"""``migsafe lint``: findings for the pending revisions, a range, or the whole chain."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

import migsafe.api as api
from migsafe.cli.commands import user_output_to_stderr
from migsafe.cli.helptext import GLOBAL_OPTIONS_EPILOG
from migsafe.cli.root import Format, app, settings, state, stdout


class LintFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"
    junit = "junit"
    markdown = "markdown"


@app.command(epilog=GLOBAL_OPTIONS_EPILOG)
def lint(
    target: Annotated[
        str, typer.Argument(help="Lint the pending revisions up to this one")
    ] = "heads",
    revision_range: Annotated[
        str | None,
        typer.Option(
            "--range",
            help="Lint the revisions after START up to END offline, as one deploy (base:heads)",
            show_default=False,
        ),
    ] = None,
    all_revisions: Annotated[
        bool, typer.Option("--all", help="Lint every revision offline, each as a deploy of its own")
    ] = False,
    format: Annotated[
        LintFormat,
        typer.Option("--format", help="text, json, github (annotations), sarif, junit, markdown"),
    ] = LintFormat.text,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 when a finding is at or above: error (default), warning, info, never",
            show_default=False,
        ),
    ] = None,
    explain: Annotated[
        str | None,
        typer.Option(
            "--explain",
            help="Show a rule's why and fix ('all': list the rules)",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check migrations for risky patterns (locks, rewrites, breaking changes) before they run."""
    from migsafe.render import rules as render_rules

    if format == LintFormat.json:
        state.format = Format.json
    if explain is not None:
        if explain.strip() == "all":
            render_rules.listing(stdout, api.lint_rules())
        else:
            render_rules.explain(stdout, api.lint_rule(explain))
        return
    with user_output_to_stderr():
        result = api.lint(
            settings(),
            target,
            revision_range=revision_range,
            all_revisions=all_revisions,
            fail_on=fail_on,
        )
    from migsafe.render.lint import render

    color = format == LintFormat.text and stdout.is_terminal
    sys.stdout.write(render(result, format.value, color=color, width=stdout.width))
    raise typer.Exit(result.exit_code)
