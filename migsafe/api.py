"""One function per command. The CLI parses options, calls one of these, renders the result."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from migsafe.errors import ConfirmationRequired, UsageError
from migsafe.settings import Settings

if TYPE_CHECKING:
    from alembic.runtime.migration import RevisionStep

    from migsafe.engine.events import ProgressFn
    from migsafe.engine.lock import LockWaitFn
    from migsafe.engine.plan import Plan
    from migsafe.engine.session import Session
    from migsafe.results import HistoryResult, RunResult, StatusResult

ConfirmFn = Callable[["Plan"], bool]

# Engine modules are imported inside the functions: `migsafe status` must answer in well under
# a second, and importing Alembic and SQLAlchemy alone costs ~0.3 s.


def upgrade(
    settings: Settings,
    target: str = "head",
    *,
    dry_run: bool = False,
    progress: ProgressFn | None = None,
    on_lock_wait: LockWaitFn | None = None,
) -> RunResult:
    """Apply pending migrations up to TARGET inside the transactional guard."""
    from migsafe.engine import runner
    from migsafe.engine.project import upgrade_steps

    run_id, session = runner.open_run(settings, dry_run=dry_run)
    try:
        if dry_run:
            steps = upgrade_steps(session.project, target, session.heads)
            plan = runner.make_plan(session, "upgrade", "upgrade", target, steps)
            return runner.dry_run(session, plan, steps)

        def planner(s: Session) -> tuple[Plan, list[RevisionStep]]:
            planned = upgrade_steps(s.project, target, s.heads)
            return runner.make_plan(s, "upgrade", "upgrade", target, planned), planned

        with runner.lock(session, run_id, on_lock_wait):
            if session.is_sqlite:
                # SQLite: plan before the write transaction, so that the history row can be
                # written (a second connection cannot write while the migration's is open).
                session.reprobe()
                plan, steps = planner(session)
                return runner.execute(session, plan, steps, run_id, progress)
            return runner.execute(session, None, [], run_id, progress, planner=planner)
    finally:
        session.close()


def revert(
    settings: Settings,
    *,
    to: str | None = None,
    steps: int | None = None,
    dry_run: bool = False,
    yes: bool = False,
    confirm: ConfirmFn | None = None,
    progress: ProgressFn | None = None,
    on_lock_wait: LockWaitFn | None = None,
) -> RunResult:
    """Undo the last run, or go down to --to REV / by --steps N, with downgrade()."""
    if to is not None and steps is not None:
        raise UsageError("--to and --steps cannot be used together")
    if steps is not None and steps < 1:
        raise UsageError("--steps must be 1 or more")
    from migsafe.engine import runner

    run_id, session = runner.open_run(settings, dry_run=dry_run)
    try:
        if dry_run:
            target, reverts, revision_steps = runner.revert_target(session, to, steps)
            plan = runner.make_plan(session, "revert", "downgrade", target, revision_steps)
            runner.check_reversible(plan)
            return runner.dry_run(session, plan, revision_steps)
        with runner.lock(session, run_id, on_lock_wait):
            session.reprobe()
            target, reverts, revision_steps = runner.revert_target(session, to, steps)
            plan = runner.make_plan(session, "revert", "downgrade", target, revision_steps)
            runner.check_reversible(plan)
            if plan.steps and not yes:
                if confirm is None:
                    raise ConfirmationRequired(
                        "revert needs confirmation",
                        hint="review the plan with --dry-run, then pass --yes",
                    )
                if not confirm(plan):
                    raise ConfirmationRequired("revert cancelled; nothing changed")
            result = runner.execute(
                session, plan, revision_steps, run_id, progress, reverts=reverts
            )
            if reverts and result.status == "succeeded":
                session.history.mark_reverted(reverts, run_id)
            return result
    finally:
        session.close()


def status(settings: Settings) -> StatusResult:
    """Show the current revision(s), pending migrations and the last run."""
    from migsafe.engine.quickstatus import quick_status

    fast = quick_status(settings)
    if fast is not None:
        return fast
    from migsafe.engine.status import read_status

    return read_status(settings)


def history(settings: Settings, *, limit: int = 20) -> HistoryResult:
    """List past runs, newest first."""
    from migsafe.engine.session import open_session
    from migsafe.results import HistoryResult

    session = open_session(settings, probe_now=False, read_only=True)
    try:
        runs = session.history.runs(limit=limit)
        return HistoryResult(database=session.database, runs=tuple(runs))
    finally:
        session.close()
