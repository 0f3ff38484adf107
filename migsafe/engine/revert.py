"""What a revert undoes: the last run's own steps, or a target given by the user."""

from __future__ import annotations

from alembic.runtime.migration import MigrationStep, RevisionStep

from migsafe.engine import history as hist
from migsafe.engine.plan import Plan, expected_heads
from migsafe.engine.project import downgrade_steps, get_script
from migsafe.engine.session import Session
from migsafe.errors import NotReversibleError, UsageError


def revert_target(
    session: Session, to: str | None, steps: int | None
) -> tuple[str, str | None, list[RevisionStep]]:
    """The downgrade target, the run being undone (if any) and the steps."""
    heads = session.heads
    if to is not None:
        return to, None, downgrade_steps(session.project, to, heads)
    if steps is not None:
        target = f"-{steps}"
        return target, None, downgrade_steps(session.project, target, heads)
    last = last_revertible_run(session)
    if last is None:
        raise UsageError(
            "no run to revert: the history has no successful upgrade that is not reverted yet",
            hint="use --to REV or --steps N to go down explicitly",
        )
    if set(last.to_revisions) != set(heads):
        raise UsageError(
            f"the last run ({last.run_id}) left the database at "
            f"{', '.join(last.to_revisions) or 'base'}, but it is now at "
            f"{', '.join(heads) or 'base'}; something else changed it",
            hint="use --to REV to choose the target explicitly",
        )
    target = ", ".join(last.from_revisions) or "base"
    return target, last.run_id, undo_steps(session, last)


def undo_steps(session: Session, run: hist.Run) -> list[RevisionStep]:
    """Downgrade steps for exactly the revisions ``run`` applied, newest first.

    A downgrade *target* cannot express "undo this run" once branches are involved (a run
    that applied a second branch, or a merge, started from several heads), so the steps are
    built from the run's own plan and checked to lead back to where it started.
    """
    full = session.history.get(run.run_id)
    applied = [step["revision"] for step in ((full.plan or {}) if full else {}).get("steps", [])]
    if not applied:
        raise UsageError(f"run {run.run_id} has no recorded steps to undo")
    project = session.project
    revmap = project.script.revision_map
    steps = [
        MigrationStep.downgrade_from_script(revmap, get_script(project, revision))
        for revision in reversed(applied)
    ]
    reached = expected_heads(project, session.heads, steps)
    if set(reached) != set(run.from_revisions):
        raise UsageError(
            f"undoing run {run.run_id} would leave the database at "
            f"{', '.join(reached) or 'base'}, not at {', '.join(run.from_revisions) or 'base'} "
            "where it started",
            hint="use --to REV to choose the target explicitly",
        )
    return steps


def last_revertible_run(session: Session) -> hist.Run | None:
    for run in session.history.runs(limit=200):
        if run.command != "upgrade" or run.status != hist.SUCCEEDED:
            continue
        if run.reverted_by or set(run.from_revisions) == set(run.to_revisions):
            continue
        return run
    return None


def check_reversible(plan: Plan) -> None:
    missing = [step.revision for step in plan.steps if not step.has_body]
    if missing:
        raise NotReversibleError(
            f"not reversible: downgrade() is missing or empty in {', '.join(missing)}",
            hint="write the downgrade(), or restore from a backup; nothing was run",
        )
