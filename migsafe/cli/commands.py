"""The migration commands: upgrade, revert, status, history."""

from __future__ import annotations

import contextlib
import sys
import typing
from typing import TYPE_CHECKING, Annotated

import typer

import migsafe.api as api
from migsafe.cli.helptext import GLOBAL_OPTIONS_EPILOG, default
from migsafe.cli.root import Format, FormatOption, app, emit_json, settings, state, stderr, stdout
from migsafe.render import snapshots as render_snapshots
from migsafe.render import text
from migsafe.render.progress import ProgressDisplay
from migsafe.settings import DEFAULT_LOCK_TIMEOUT, DEFAULT_LOCK_WAIT, DEFAULT_RETRIES

if TYPE_CHECKING:
    from migsafe.engine.lock import Holder
    from migsafe.engine.plan import Plan

LockTimeout = Annotated[
    str | None,
    typer.Option(
        "--lock-timeout",
        help=f"Per-statement lock wait, e.g. 2s {default(f'{DEFAULT_LOCK_TIMEOUT:g}s')}",
        metavar="DURATION",
    ),
]
StatementTimeout = Annotated[
    str | None,
    typer.Option(
        "--statement-timeout",
        help="Per-statement time limit, e.g. 10min (default: none)",
        metavar="DURATION",
    ),
]
Retries = Annotated[
    int | None,
    typer.Option(
        "--retries",
        metavar="N",
        help=f"Retries of the whole transaction after a lock timeout {default(DEFAULT_RETRIES)}",
    ),
]
LockWait = Annotated[
    str | None,
    typer.Option(
        "--lock-wait",
        help=f"How long to wait for another runner {default(f'{DEFAULT_LOCK_WAIT:g}s')}",
        metavar="DURATION",
    ),
]
Verify = Annotated[
    list[str] | None,
    typer.Option(
        "--verify", help="SQL that must return true before COMMIT (repeatable)", metavar="SQL"
    ),
]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Print the plan and its SQL; change nothing")
]


def user_output_to_stderr() -> contextlib.redirect_stdout[typing.TextIO]:
    """What env.py and migrations print goes to stderr: stdout is for migsafe's result."""
    return contextlib.redirect_stdout(sys.stderr)


def _announce_wait(holder: Holder) -> None:
    stderr.print(f"waiting for the runner lock held by {holder.describe()} ...")


@app.command(epilog=GLOBAL_OPTIONS_EPILOG)
def upgrade(
    target: Annotated[str, typer.Argument(help="Revision to upgrade to")] = "head",
    dry_run: DryRun = False,
    lock_timeout: LockTimeout = None,
    statement_timeout: StatementTimeout = None,
    retries: Retries = None,
    lock_wait: LockWait = None,
    verify: Verify = None,
    backup: Annotated[
        str | None,
        typer.Option(
            "--backup",
            help="Snapshot first: --backup (or --backup=full) for the whole database, "
            "--backup=tables for only the tables the migrations touch",
            metavar="=full|=tables",
            show_default=False,
        ),
    ] = None,
    on_failure: Annotated[
        str,
        typer.Option(
            "--on-failure",
            help="With --backup, after a failure that committed part of the chain: restore "
            "the snapshot, or stop and leave it",
        ),
    ] = "restore",
    allow_irreversible: Annotated[
        bool,
        typer.Option(
            "--allow-irreversible",
            help="Apply steps that have no generated reverse and no downgrade() anyway "
            "(revert them from a snapshot)",
        ),
    ] = False,
    format: FormatOption = Format.text,
) -> None:
    """Apply pending migrations up to TARGET inside the transactional guard."""
    state.format = format
    cfg = settings(
        lock_timeout=lock_timeout,
        statement_timeout=statement_timeout,
        retries=retries,
        lock_wait=lock_wait,
        verify=verify,
        allow_irreversible=allow_irreversible or None,
    )
    with ProgressDisplay(stderr) as progress, user_output_to_stderr():
        result = api.upgrade(
            cfg,
            target,
            dry_run=dry_run,
            backup=backup,
            on_failure=on_failure,
            progress=progress,
            on_lock_wait=_announce_wait,
            snapshot_progress=snapshot_bytes,
        )
    if format == Format.json:
        emit_json(result.to_dict())
    else:
        text.run_result(stdout, result)


@app.command(epilog=GLOBAL_OPTIONS_EPILOG)
def revert(
    to: Annotated[
        str | None, typer.Option("--to", help="Revision to go down to", metavar="REV")
    ] = None,
    steps: Annotated[
        int | None, typer.Option("--steps", help="Number of revisions to undo", metavar="N")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation")] = False,
    dry_run: DryRun = False,
    lock_timeout: LockTimeout = None,
    statement_timeout: StatementTimeout = None,
    retries: Retries = None,
    lock_wait: LockWait = None,
    verify: Verify = None,
    from_snapshot: Annotated[
        str | None,
        typer.Option(
            "--from-snapshot",
            help="Restore this snapshot instead (the last resort)",
            metavar="SNAPSHOT_ID",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="With --from-snapshot: even with other sessions")
    ] = False,
    use_downgrade: Annotated[
        bool,
        typer.Option(
            "--use-downgrade",
            help="Run the migrations' own downgrade() instead of the "
            "reverse scripts generated when they were applied",
        ),
    ] = False,
    run: Annotated[
        str | None,
        typer.Option(
            "--run",
            metavar="RUN_ID",
            help="Undo exactly this upgrade run (its id, as `upgrade` prints it); if it is "
            "reverted already, do nothing",
        ),
    ] = None,
    from_heads: Annotated[
        str | None,
        typer.Option(
            "--from-heads",
            metavar="REV[,REV]",
            help="REV[,REV]: the heads the revert expects to start from; elsewhere it does "
            "nothing (already reverted) or refuses",
        ),
    ] = None,
    fill: Annotated[
        list[str] | None,
        typer.Option(
            "--fill",
            metavar="TABLE.COLUMN=SQL",
            help="TABLE.COLUMN=SQL-EXPRESSION: the value of a dropped column for rows written "
            "since it was dropped (repeatable)",
        ),
    ] = None,
    on_conflict: Annotated[
        str,
        typer.Option(
            "--on-conflict",
            metavar="MODE",
            help="Rows a reverted data change touched that were changed since: refuse "
            "(default: nothing changes), keep-current (leave them), restore (overwrite)",
        ),
    ] = "refuse",
    format: FormatOption = Format.text,
) -> None:
    """Undo the last run (or --run RUN_ID), or go down to --to REV / by --steps N, with the
    reverse scripts generated at apply time (--use-downgrade: the migrations' own downgrade())."""
    state.format = format
    if from_snapshot is not None:
        _revert_from_snapshot(from_snapshot, yes=yes, force=force, format=format, dry_run=dry_run)
        return
    cfg = settings(
        lock_timeout=lock_timeout,
        statement_timeout=statement_timeout,
        retries=retries,
        lock_wait=lock_wait,
        verify=verify,
    )

    def confirm(plan: Plan) -> bool:
        text.plan(stderr, plan)
        question = (
            "Revert these migrations, deleting the data listed above?"
            if plan.data_loss
            else "Revert these migrations?"
        )
        return typer.confirm(question, default=False, err=True)

    with ProgressDisplay(stderr) as progress, user_output_to_stderr():
        result = api.revert(
            cfg,
            to=to,
            steps=steps,
            dry_run=dry_run,
            run=run,
            from_heads=tuple(h.strip() for h in from_heads.split(",")) if from_heads else None,
            fill=tuple(fill or ()),
            yes=yes,
            use_downgrade=use_downgrade,
            on_conflict=on_conflict,
            confirm=confirm if sys.stdin.isatty() else None,
            progress=progress,
            on_lock_wait=_announce_wait,
        )
    if format == Format.json:
        emit_json(result.to_dict())
    else:
        text.run_result(stdout, result)


def _revert_from_snapshot(
    snapshot_id: str, *, yes: bool, force: bool, format: Format, dry_run: bool
) -> None:
    if dry_run:
        snap = api.snapshot_show(settings(), snapshot_id)
        if format == Format.json:
            emit_json({"dry_run": True, "would_restore": snap.to_dict()})
            return
        render_snapshots.snapshot_show(stdout, snap)
        stdout.print(
            f"\n[bold]Dry run[/]: would restore this snapshot, taking the database back to "
            f"{', '.join(snap.revisions) or 'base'}; writes made since {snap.created_at} would "
            "be lost. Nothing was changed."
        )
        return

    def confirm(message: str) -> bool:
        stderr.print(message)
        return typer.confirm("Restore it?", default=False, err=True)

    with user_output_to_stderr():
        result = api.revert_from_snapshot(
            settings(),
            snapshot_id,
            yes=yes,
            force=force,
            confirm=confirm if sys.stdin.isatty() else None,
            on_lock_wait=_announce_wait,
        )
    if format == Format.json:
        emit_json(result.to_dict())
    else:
        render_snapshots.restore(stdout, result)


def snapshot_bytes(done: int) -> None:
    """pg_dump's progress: the size written so far, on one refreshed line of a terminal."""
    if stderr.is_terminal:
        size = done / 1048576
        stderr.print(f"\rsnapshot: {size:.1f} MB written", end="")


@app.command(epilog=GLOBAL_OPTIONS_EPILOG)
def status(format: FormatOption = Format.text) -> None:
    """Show the current revision(s), pending migrations and the last run."""
    state.format = format
    with user_output_to_stderr():
        result = api.status(settings())
    if format == Format.json:
        emit_json(result.to_dict())
    else:
        text.status(stdout, result)


@app.command(epilog=GLOBAL_OPTIONS_EPILOG)
def history(
    run_id: Annotated[
        str | None, typer.Argument(help="Show this run (or id prefix) in detail")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many runs")] = 20,
    format: FormatOption = Format.text,
) -> None:
    """List past runs, newest first; with RUN_ID, that run's plan and journal."""
    state.format = format
    with user_output_to_stderr():
        result = api.history(settings(), limit=limit, run_id=run_id)
    if format == Format.json:
        emit_json(result.to_dict())
    else:
        text.history(stdout, result)
