"""`migsafe flags ...`: create, switch, roll out and audit the feature flags in the database."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from migsafe.api import flags as api
from migsafe.cli.helptext import GLOBAL_OPTIONS_EPILOG
from migsafe.cli.root import Format, FormatOption, app, emit_json, state, stdout
from migsafe.cli.root import settings as cli_settings
from migsafe.errors import UsageError
from migsafe.flags_results import FlagChange
from migsafe.render import flags as render
from migsafe.settings import Settings

flags_app = typer.Typer(
    epilog=GLOBAL_OPTIONS_EPILOG,
    help="Feature flags in the application's PostgreSQL database: the kill switch and more. "
    "Needs only a database URL (--database-url or MIGSAFE_DATABASE_URL), in any directory.",
    no_args_is_help=True,
)
app.add_typer(flags_app, name="flags")


class _Options:
    """The `flags` group's own options, given before the command."""

    version_table: str | None = None
    version_table_schema: str | None = None


options = _Options()


@flags_app.callback()
def flags_options(
    version_table: Annotated[
        str | None,
        typer.Option(
            "--version-table",
            help="The Alembic version table (default: init asks env.py; without an Alembic "
            "project, init and require take the one migsafe's last run used; else "
            "alembic_version)",
            show_default=False,
        ),
    ] = None,
    version_table_schema: Annotated[
        str | None,
        typer.Option(
            "--version-table-schema",
            help="Its schema (default: the connection's search_path)",
            show_default=False,
        ),
    ] = None,
) -> None:
    """The options of the `flags` group itself, for every command under it."""
    options.version_table = version_table
    options.version_table_schema = version_table_schema


def settings() -> Settings:
    # No Alembic configuration is needed: the kill switch must work from anywhere.
    return cli_settings(require_config=False)


def _versions() -> dict[str, str | None]:
    return {
        "version_table": options.version_table,
        "version_table_schema": options.version_table_schema,
    }


Name = Annotated[str, typer.Argument(help="The flag's name", show_default=False)]
Actor = Annotated[
    str | None,
    typer.Option("--actor", help="Who makes the change, for the audit (default: the OS user)"),
]
Reason = Annotated[str | None, typer.Option("--reason", help="Why, for the audit")]


def _changed(result: FlagChange, format: Format) -> None:
    emit_json(result.to_dict()) if format == Format.json else render.change(stdout, result)


@flags_app.command(epilog=GLOBAL_OPTIONS_EPILOG)
def init(format: FormatOption = Format.text) -> None:
    """Create the flags tables if missing; put the notify trigger on the Alembic version table."""
    state.format = format
    result = api.flags_init(settings(), **_versions())
    emit_json(result.to_dict()) if format == Format.json else render.init(stdout, result)


@flags_app.command(epilog=GLOBAL_OPTIONS_EPILOG)
def create(
    name: Name,
    description: Annotated[
        str | None, typer.Option("--description", help="What the flag guards")
    ] = None,
    type: Annotated[
        str,
        typer.Option("--type", help="release, experiment, operational, kill-switch, permission"),
    ] = "release",
    actor: Actor = None,
    reason: Reason = None,
    format: FormatOption = Format.text,
) -> None:
    """Create a flag, off, on for everyone once enabled."""
    state.format = format
    result = api.flags_create(
        settings(),
        name,
        description=description,
        type=type,
        actor=actor,
        reason=reason,
        **_versions(),
    )
    _changed(result, format)


@flags_app.command("list", epilog=GLOBAL_OPTIONS_EPILOG)
def list_(format: FormatOption = Format.text) -> None:
    """List the flags: stored on or off, what apps see now and why, and what each requires."""
    state.format = format
    result = api.flags_list(settings(), **_versions())
    emit_json(result.to_dict()) if format == Format.json else render.flag_list(stdout, result)


@flags_app.command(epilog=GLOBAL_OPTIONS_EPILOG)
def show(name: Name, format: FormatOption = Format.text) -> None:
    """Show one flag's definition, what apps see of it now, and its last change."""
    state.format = format
    result = api.flags_show(settings(), name, **_versions())
    emit_json(result.to_dict()) if format == Format.json else render.flag_show(stdout, result)


@flags_app.command(epilog=GLOBAL_OPTIONS_EPILOG)
def export(format: FormatOption = Format.text) -> None:
    """Print every flag as an Unleash client-features document (what `import` reads)."""
    state.format = format
    # The document itself in both formats: `export > flags.json` must be importable as it is.
    sys.stdout.write(json.dumps(api.flags_export(settings()), indent=2) + "\n")


@flags_app.command("import", epilog=GLOBAL_OPTIONS_EPILOG)
def import_(
    file: Annotated[Path, typer.Argument(help="A client-features JSON file", show_default=False)],
    actor: Actor = None,
    reason: Reason = None,
    format: FormatOption = Format.text,
) -> None:
    """Create or replace flags from a client-features JSON file; all or nothing."""
    state.format = format
    result = api.flags_import(settings(), file, actor=actor, reason=reason, **_versions())
    emit_json(result.to_dict()) if format == Format.json else render.imported(stdout, result)


@flags_app.command(epilog=GLOBAL_OPTIONS_EPILOG)
def disable(
    name: Name,
    reason: Annotated[
        str, typer.Option("--reason", help="Why it is switched off (required)", show_default=False)
    ],
    actor: Actor = None,
    format: FormatOption = Format.text,
) -> None:
    """Switch a flag off for every running process (the kill switch)."""
    state.format = format
    result = api.flags_disable(settings(), name, reason=reason, actor=actor, **_versions())
    _changed(result, format)


@flags_app.command(epilog=GLOBAL_OPTIONS_EPILOG)
def enable(
    name: Name, actor: Actor = None, reason: Reason = None, format: FormatOption = Format.text
) -> None:
    """Switch a flag on (for the users its rollout selects)."""
    state.format = format
    result = api.flags_enable(settings(), name, actor=actor, reason=reason, **_versions())
    _changed(result, format)


@flags_app.command(epilog=GLOBAL_OPTIONS_EPILOG)
def rollout(
    name: Name,
    percent: Annotated[int, typer.Argument(help="0-100", show_default=False)],
    actor: Actor = None,
    reason: Reason = None,
    format: FormatOption = Format.text,
) -> None:
    """Turn a flag on for PCT% of users, sticky per user (does not enable a flag that is off)."""
    state.format = format
    result = api.flags_rollout(settings(), name, percent, actor=actor, reason=reason, **_versions())
    _changed(result, format)


@flags_app.command(epilog=GLOBAL_OPTIONS_EPILOG)
def require(
    name: Name,
    revision: Annotated[
        str | None,
        typer.Argument(help="Alembic revision (id, unique prefix or head)", show_default=False),
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the requirement")] = False,
    actor: Actor = None,
    reason: Reason = None,
    format: FormatOption = Format.text,
) -> None:
    """Tie a flag to an Alembic revision: off wherever the database lacks it (--clear unties it)."""
    state.format = format
    if clear == (revision is not None):
        raise UsageError(
            "give either a REVISION or --clear", hint="see `migsafe flags require --help`"
        )
    result = api.flags_require(
        settings(), name, revision, actor=actor, reason=reason, **_versions()
    )
    _changed(result, format)


@flags_app.command(epilog=GLOBAL_OPTIONS_EPILOG)
def history(name: Name, format: FormatOption = Format.text) -> None:
    """Show every recorded change of a flag: who, when, what, and why."""
    state.format = format
    result = api.flags_history(settings(), name)
    emit_json(result.to_dict()) if format == Format.json else render.history(stdout, result)
