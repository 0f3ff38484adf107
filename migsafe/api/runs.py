"""The commands that run migrations, and what they read: upgrade, revert, status, history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from migsafe.api._common import ConfirmFn, confirm_plan, not_blank, privileges_named
from migsafe.api.snapshots import restore_recorded
from migsafe.engine import interrupts
from migsafe.errors import IrreversibleStep, LintRefused, UsageError
from migsafe.settings import Settings

if TYPE_CHECKING:
    from alembic.runtime.migration import RevisionStep

    from migsafe.engine.events import ProgressFn
    from migsafe.engine.lock import LockWaitFn
    from migsafe.engine.plan import Plan
    from migsafe.engine.session import Session
    from migsafe.results import HistoryResult, RunResult, StatusResult
    from migsafe.snapshots.results import (
        RestoreOutcome,
    )


@privileges_named
def upgrade(
    settings: Settings,
    target: str = "head",
    *,
    dry_run: bool = False,
    backup: str | None = None,
    on_failure: str = "restore",
    progress: ProgressFn | None = None,
    on_lock_wait: LockWaitFn | None = None,
    snapshot_progress: Callable[[int], None] | None = None,
) -> RunResult:
    """Apply pending migrations up to TARGET inside the transactional guard."""
    from migsafe.engine import runner
    from migsafe.engine.backup import OnFailure, backup_for, describe_backup
    from migsafe.engine.project import upgrade_steps
    from migsafe.engine.runs import Direction
    from migsafe.lint.service import lint_plan
    from migsafe.snapshots.model import SnapshotMode

    not_blank(target, "TARGET")
    if backup not in (None, *SnapshotMode):
        raise UsageError(f"--backup must be 'full' or 'tables', not {backup!r}")
    if on_failure not in tuple(OnFailure):
        raise UsageError(f"--on-failure must be 'restore' or 'stop', not {on_failure!r}")
    mode = None if backup is None else SnapshotMode(backup)
    then = OnFailure(on_failure)

    run_id, session = runner.open_run(settings, dry_run=dry_run)
    try:
        if dry_run:
            steps = upgrade_steps(session.project, target, session.heads)
            plan = runner.make_plan(session, "upgrade", Direction.UPGRADE, target, steps)
            try:
                plan = runner.refuse_irreversible(plan, session, backup=backup is not None)
            except IrreversibleStep as exc:
                plan = replace(plan, warnings=(*plan.warnings, f"would be refused: {exc.message}"))
            try:
                plan = lint_plan(session, plan, steps)
            except LintRefused as exc:
                plan = replace(plan, warnings=(*plan.warnings, f"would be refused: {exc.message}"))
            if mode is not None:
                plan = describe_backup(session, plan, steps, mode=mode)
            return runner.dry_run(session, plan, steps)

        def planner(s: Session) -> tuple[Plan, list[RevisionStep]]:
            planned = upgrade_steps(s.project, target, s.heads)
            plan = runner.make_plan(s, "upgrade", Direction.UPGRADE, target, planned)
            plan = runner.refuse_irreversible(plan, s, backup=backup is not None)
            return lint_plan(s, plan, planned), planned

        with runner.lock(session, run_id, on_lock_wait):
            # migsafe's own tables first: a role that cannot write them is told so before
            # anything else is read. Then the plan, under the lock, from the heads as they are
            # now; the guard checks that they have not moved when its transaction starts.
            session.history.ensure()
            session.reprobe()
            plan, steps = planner(session)
            if mode is None:
                return runner.execute(session, plan, steps, run_id, progress)
            # The snapshot comes first, before the migration asks for any lock, and it needs
            # the plan to know which tables to hold.
            with interrupts.during("taking the --backup snapshot (pg_dump)"):
                plan, guard, _ = backup_for(
                    session, plan, steps, mode=mode, run_id=run_id, progress=snapshot_progress
                )
            guard = replace(guard, on_failure=then) if guard is not None else None
            return runner.execute(session, plan, steps, run_id, progress, backup=guard)
    finally:
        session.close()


@privileges_named
def revert(
    settings: Settings,
    *,
    to: str | None = None,
    steps: int | None = None,
    run: str | None = None,
    from_heads: tuple[str, ...] | None = None,
    fill: tuple[str, ...] = (),
    dry_run: bool = False,
    yes: bool = False,
    use_downgrade: bool = False,
    on_conflict: str = "refuse",
    confirm: ConfirmFn | None = None,
    progress: ProgressFn | None = None,
    on_lock_wait: LockWaitFn | None = None,
) -> RunResult:
    """Undo the last run (or --run RUN_ID), or go down to --to REV / by --steps N, with the
    reverse scripts generated at apply time (--use-downgrade: the migrations' own downgrade())."""

    if to is not None and steps is not None:
        raise UsageError("--to and --steps cannot be used together")
    if run is not None and (to is not None or steps is not None):
        raise UsageError("--run undoes one whole run: it cannot be used with --to or --steps")
    if steps is not None and steps < 1:
        raise UsageError("--steps must be 1 or more")
    not_blank(to, "--to")
    not_blank(run, "--run", hint="give a run id (or a unique prefix) from `migsafe history`")
    from migsafe.reverse.rows.restore import ON_CONFLICT_MODES

    if on_conflict not in ON_CONFLICT_MODES:
        raise UsageError(
            f"--on-conflict: {on_conflict!r} is not one of {', '.join(ON_CONFLICT_MODES)}"
        )
    if from_heads is not None and not all(from_heads):
        raise UsageError("--from-heads takes revision ids, comma-separated (or 'base')")
    from migsafe.engine import runner
    from migsafe.reverse.revert import fill as revert_fill
    from migsafe.reverse.revert import flow as revert_flow
    from migsafe.reverse.revert.stored import read_heads_directly

    request = revert_flow.RevertRequest(
        to=to,
        steps=steps,
        run=run,
        from_heads=tuple(h for h in from_heads if h != "base") if from_heads else from_heads,
        fills=revert_fill.parse_option(fill),
        use_downgrade=use_downgrade,
        on_conflict=on_conflict,
    )
    run_id, session = runner.open_run(settings, dry_run=dry_run)
    try:
        if dry_run:
            chosen = revert_flow.choose(session, request, probed=True, dry_run=True)
            if chosen.nothing is not None:
                return revert_flow.nothing_result(chosen)
            if chosen.stored is not None:
                return runner.dry_run_stored(session, chosen.plan)
            return runner.dry_run(session, chosen.plan, chosen.steps)
        with runner.lock(session, run_id, on_lock_wait):
            # The stored path needs no env.py: heads from the version table the last run
            # recorded. Otherwise (or for downgrade() steps) env.py tells, as before.
            probed = not read_heads_directly(session)
            if probed:
                session.reprobe()
            chosen = revert_flow.choose(session, request, probed=probed)
            if chosen.nothing is not None:
                return revert_flow.nothing_result(chosen)
            confirm_plan(chosen.plan, yes, confirm)
            return revert_flow.execute(
                session, chosen, run_id, progress, on_conflict=request.on_conflict
            )
    finally:
        session.close()


@privileges_named
def status(settings: Settings) -> StatusResult:
    """Show the current revision(s), pending migrations and the last run."""
    from migsafe.engine.quickstatus import quick_status

    fast = quick_status(settings)
    if fast is not None:
        return fast
    from migsafe.engine.status import read_status

    return read_status(settings)


@privileges_named
def history(settings: Settings, *, limit: int = 20, run_id: str | None = None) -> HistoryResult:
    """List past runs, newest first; with RUN_ID, that run's plan and journal."""
    if limit < 1:
        raise UsageError(
            f"-n/--limit must be 1 or more, got {limit}",
            hint="`migsafe history -n 50` lists the 50 newest runs",
        )
    from migsafe.engine.session import open_session
    from migsafe.results import HistoryResult

    session = open_session(settings, probe_now=False, read_only=True)
    try:
        if run_id is None:
            runs = session.history.runs(limit=limit)
            return HistoryResult(database=session.database, runs=tuple(runs))
        run = session.history.find(run_id)
        if run is None:
            raise UsageError(
                f"no run {run_id!r} in the history", hint="`migsafe history` lists them"
            )
        journal = session.history.journal_of(run.run_id)
        return HistoryResult(database=session.database, runs=(run,), journal=tuple(journal))
    finally:
        session.close()


@privileges_named
def revert_from_snapshot(
    settings: Settings,
    snapshot_id: str,
    *,
    yes: bool = False,
    force: bool = False,
    confirm: Callable[[str], bool] | None = None,
    on_lock_wait: LockWaitFn | None = None,
) -> RestoreOutcome:
    """Go back to a snapshot: restore it, which also restores its Alembic revision."""
    return restore_recorded(
        settings,
        snapshot_id,
        into=None,
        yes=yes,
        force=force,
        confirm=confirm,
        command="revert",
        on_lock_wait=on_lock_wait,
    )
