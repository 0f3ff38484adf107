"""`migsafe reverse show` and `migsafe archive list|prune`: generated reverses and kept data."""

from __future__ import annotations

from typing import Annotated

import typer

import migsafe.api as api
from migsafe.cli.helptext import GLOBAL_OPTIONS_EPILOG, default
from migsafe.cli.root import Format, FormatOption, app, emit_json, settings, state, stdout
from migsafe.render import reverse as render
from migsafe.settings import parse_duration

reverse_app = typer.Typer(
    epilog=GLOBAL_OPTIONS_EPILOG,
    help="Reverse scripts migsafe generated when it applied migrations.",
)
app.add_typer(reverse_app, name="reverse")
archive_app = typer.Typer(
    epilog=GLOBAL_OPTIONS_EPILOG, help="Data kept by reverse scripts: dropped columns and tables."
)
app.add_typer(archive_app, name="archive")


@reverse_app.command("show", epilog=GLOBAL_OPTIONS_EPILOG)
def show(
    revision: Annotated[str, typer.Argument(help="Revision (or a unique prefix)")],
    format: FormatOption = Format.text,
) -> None:
    """Print the reverse SQL migsafe stored for REV when it applied it, for review."""
    state.format = format
    result = api.reverse_show(settings(), revision)
    emit_json(result.to_dict()) if format == Format.json else render.reverse_show(stdout, result)


@archive_app.command("list", epilog=GLOBAL_OPTIONS_EPILOG)
def list_(format: FormatOption = Format.text) -> None:
    """List the data kept by reverse scripts (dropped columns and tables), oldest first."""
    state.format = format
    result = api.archive_list(settings())
    emit_json(result.to_dict()) if format == Format.json else render.archive_list(stdout, result)


@archive_app.command(epilog=GLOBAL_OPTIONS_EPILOG)
def prune(
    older_than: Annotated[
        str | None,
        typer.Option("--older-than", help=f"Retention, e.g. 30d or 12h {default('7d')}"),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be dropped; drop nothing")
    ] = False,
    format: FormatOption = Format.text,
) -> None:
    """Drop archived data older than the retention window (default 7 days)."""
    state.format = format
    seconds = None if older_than is None else parse_duration(older_than, option="--older-than")
    result = api.archive_prune(settings(), older_than=seconds, dry_run=dry_run)
    emit_json(result.to_dict()) if format == Format.json else render.archive_prune(stdout, result)
