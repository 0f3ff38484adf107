"""`migsafe snapshot ...`: list, show, create, verify, restore, prune."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

import migsafe.api as api
from migsafe.cli.commands import user_output_to_stderr
from migsafe.cli.helptext import GLOBAL_OPTIONS_EPILOG
from migsafe.cli.root import Format, FormatOption, app, emit_json, settings, state, stderr, stdout
from migsafe.render import snapshots as render
from migsafe.settings import parse_duration

snapshot_app = typer.Typer(
    epilog=GLOBAL_OPTIONS_EPILOG,
    help="Snapshots: verified pg_dump / SQLite backups and their restore.",
)
app.add_typer(snapshot_app, name="snapshot")

Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation")]
Force = Annotated[
    bool, typer.Option("--force", help="Proceed although other sessions are connected")
]


def _bytes_progress(done: int) -> None:
    if stderr.is_terminal:
        stderr.print(f"\rsnapshot: {render.size(done)} written", end="")


@snapshot_app.command("list", epilog=GLOBAL_OPTIONS_EPILOG)
def list_(format: FormatOption = Format.text) -> None:
    """List the snapshots in the store, newest first."""
    state.format = format
    result = api.snapshot_list(settings())
    emit_json(result.to_dict()) if format == Format.json else render.snapshot_list(stdout, result)


@snapshot_app.command(epilog=GLOBAL_OPTIONS_EPILOG)
def show(snapshot_id: str, format: FormatOption = Format.text) -> None:
    """Show one snapshot's catalog entry."""
    state.format = format
    snap = api.snapshot_show(settings(), snapshot_id)
    emit_json(snap.to_dict()) if format == Format.json else render.snapshot_show(stdout, snap)


@snapshot_app.command(epilog=GLOBAL_OPTIONS_EPILOG)
def create(
    mode: Annotated[str, typer.Option("--mode", help="full, or tables with --table")] = "full",
    table: Annotated[
        list[str] | None, typer.Option("--table", "-t", help="schema.table (repeatable)")
    ] = None,
    format: FormatOption = Format.text,
) -> None:
    """Take a snapshot now (pg_dump, or SQLite's backup API), verify it and register it."""
    state.format = format
    with user_output_to_stderr():
        snap = api.snapshot_create(
            settings(), mode=mode, tables=tuple(table or ()), progress=_bytes_progress
        )
    if stderr.is_terminal:
        stderr.print()
    if format == Format.json:
        emit_json(snap.to_dict())
    else:
        stdout.print(
            f"[green]ok[/]: snapshot {snap.id} ({snap.mode}, {render.size(snap.size)}) "
            f"at {', '.join(snap.revisions) or 'base'}, {snap.status}"
        )


@snapshot_app.command(epilog=GLOBAL_OPTIONS_EPILOG)
def verify(
    snapshot_id: str,
    restore: Annotated[
        bool, typer.Option("--restore", help="Also restore into a scratch database and compare")
    ] = False,
    format: FormatOption = Format.text,
) -> None:
    """Check a snapshot's checksum and contents (exit 1 when it fails)."""
    state.format = format
    result = api.snapshot_verify(settings(), snapshot_id, restore=restore)
    emit_json(result.to_dict()) if format == Format.json else render.verify(stdout, result)
    if not result.ok:
        raise typer.Exit(1)


@snapshot_app.command(epilog=GLOBAL_OPTIONS_EPILOG)
def restore(
    snapshot_id: str,
    into: Annotated[
        str | None, typer.Option("--into", help="Restore into this new database instead")
    ] = None,
    yes: Yes = False,
    force: Force = False,
    allow_other_database: Annotated[
        bool,
        typer.Option(
            "--allow-other-database",
            help="Restore in place although the database is not the one the snapshot was taken of",
        ),
    ] = False,
    format: FormatOption = Format.text,
) -> None:
    """Restore a snapshot in place (writes made after it are lost) or --into a new database."""
    state.format = format

    def confirm(message: str) -> bool:
        stderr.print(message)
        return typer.confirm("Restore?", default=False, err=True)

    result = api.snapshot_restore(
        settings(),
        snapshot_id,
        into=into,
        yes=yes,
        force=force,
        confirm=confirm if sys.stdin.isatty() else None,
        allow_other_database=allow_other_database,
    )
    emit_json(result.to_dict()) if format == Format.json else render.restore(stdout, result)


@snapshot_app.command(epilog=GLOBAL_OPTIONS_EPILOG)
def prune(
    keep: Annotated[int | None, typer.Option("--keep", help="Keep the N newest")] = None,
    max_age: Annotated[
        str | None, typer.Option("--max-age", help="Delete older than this, e.g. 30d")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only say what would go")] = False,
    format: FormatOption = Format.text,
) -> None:
    """Delete old snapshots; never the newest verified one of each database."""
    state.format = format
    age = None if max_age is None else parse_duration(max_age, option="--max-age")
    result = api.snapshot_prune(settings(), keep=keep, max_age_s=age, dry_run=dry_run)
    emit_json(result.to_dict()) if format == Format.json else render.prune(stdout, result)
