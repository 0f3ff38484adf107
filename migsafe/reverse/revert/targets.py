"""What a revert undoes: the last run's own steps, a run named by its id, or a target given
by the user; and when there is nothing left to undo (a revert retried by a deploy system)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from alembic.runtime.migration import MigrationStep, RevisionStep

from migsafe.engine import history as hist
from migsafe.engine import revision_names
from migsafe.engine.plan import Plan, expected_heads
from migsafe.engine.project import downgrade_steps, get_script
from migsafe.engine.runs import RunStatus
from migsafe.engine.session import Session
from migsafe.errors import MigsafeError, NotReversibleError, UsageError
from migsafe.reverse import store as reverse_store


def revert_target(
    session: Session, to: str | None, steps: int | None, *, run_id: str | None = None
) -> tuple[str, str | None, list[RevisionStep]]:
    """The downgrade target, the run being undone (if any) and the steps."""
    heads = session.heads
    if to is not None:
        return to, None, downgrade_steps(session.project, to, heads)
    if steps is not None:
        target = f"-{steps}"
        return target, None, downgrade_steps(session.project, target, heads)
    last = run_to_revert(session, run_id)
    target = ", ".join(last.from_revisions) or "base"
    return target, last.run_id, undo_steps(session, last)


def run_to_revert(session: Session, run_id: str | None) -> hist.Run:
    """The run a revert without --to/--steps undoes: the one named, else the last revertible
    one; it must have left the database where it is now."""
    last = session.history.find(run_id) if run_id is not None else last_revertible_run(session)
    if last is None:
        raise UsageError(
            "no run to revert: the history has no successful upgrade that is not reverted yet",
            hint="use --to REV or --steps N to go down explicitly",
        )
    if set(last.to_revisions) != set(session.heads):
        raise UsageError(
            f"the last run ({last.run_id}) left the database at "
            f"{', '.join(last.to_revisions) or 'base'}, but it is now at "
            f"{', '.join(session.heads) or 'base'}; something else changed it",
            hint="use --to REV to choose the target explicitly",
        )
    return last


def check_request(session: Session, to: str | None, steps: int | None) -> NothingToDo | None:
    """What the user asked, checked before anything is planned: `--to` a name that matches no
    revision is refused with the closest names (not left to fail later as "no way back");
    `--steps N` at base has nothing to do; more steps than there are revisions is refused
    with how many there are."""
    if to is not None:
        revision_names.check(to, _known_names(session))
    if steps is None:
        return None
    if steps < 1:
        raise UsageError(f"--steps must be 1 or more, not {steps}")
    if not session.heads:
        return NothingToDo("nothing to revert: the database is at base")
    try:
        depth = len(downgrade_steps(session.project, "base", session.heads))
    except MigsafeError:
        return None  # heads this checkout does not know: the stored reverses decide
    if steps > depth:
        raise UsageError(
            f"--steps {steps}: the database is only {depth} revision(s) above base "
            f"(at {_text(session.heads)})",
            hint=f"--steps {depth} (or --to base) goes down to base; nothing was changed",
        )
    return None


def _known_names(session: Session) -> set[str]:
    """The project's revisions, and those migsafe stored or recorded (maybe from a newer
    release of the project)."""

    names = revision_names.project_names(session.project) | set(session.heads)
    with session.aux() as conn:
        for row in reverse_store.applied(conn, session.history.schema):
            names.update((row.revision, *row.heads_before, *row.heads_after))
    for run in session.history.runs(limit=200):
        names.update((*run.from_revisions, *run.to_revisions))
    return names


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
        if run.command != "upgrade" or run.status != RunStatus.SUCCEEDED:
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


@dataclass(frozen=True)
class NothingToDo:
    """A revert with nothing left to do, and the one line that says why."""

    message: str
    reverted_run_id: str | None = None


def _text(heads: Sequence[str]) -> str:
    return ", ".join(sorted(heads)) or "base"


def named_run(session: Session, run_id: str) -> hist.Run | NothingToDo:
    """The upgrade ``--run RUN_ID`` names, checked to have left the database where it is now;
    or why there is nothing to do (it was reverted already: the same command, retried)."""
    run = session.history.find(run_id)
    if run is None:
        raise UsageError(
            f"no run {run_id!r} in the history",
            hint="`migsafe history` lists the runs; `migsafe upgrade` prints its run id",
        )
    if run.command != "upgrade":
        raise UsageError(
            f"run {run.run_id} is a {run.command}, not an upgrade: --run names the upgrade to undo"
        )
    if run.reverted_by:
        return NothingToDo(
            f"run {run.run_id} was already reverted by run {run.reverted_by}, nothing to do",
            run.run_id,
        )
    if run.status in (RunStatus.ROLLED_BACK, RunStatus.RESTORED):
        return NothingToDo(
            f"run {run.run_id} {run.status.replace('_', ' ')}: it left nothing to undo", run.run_id
        )
    if run.status != RunStatus.SUCCEEDED:
        raise UsageError(
            f"run {run.run_id} ended {run.status} at {_text(run.at_revisions)}; there is no "
            "whole run to undo",
            hint="use --to REV to choose where to go (`migsafe status` shows where it is)",
        )
    heads = set(session.heads)
    if set(run.from_revisions) == set(run.to_revisions):
        return NothingToDo(f"run {run.run_id} applied nothing, nothing to do", run.run_id)
    if heads == set(run.to_revisions):
        return run
    if heads == set(run.from_revisions):
        return NothingToDo(
            f"the database is at {_text(run.from_revisions)}, where run {run.run_id} started: "
            "nothing to do",
            run.run_id,
        )
    newer = last_revertible_run(session)
    since = (
        f" (run {newer.run_id} moved it since)"
        if newer is not None and newer.run_id != run.run_id
        else ""
    )
    raise UsageError(
        f"run {run.run_id} left the database at {_text(run.to_revisions)}, but it is now at "
        f"{_text(session.heads)}{since}; nothing done",
        hint="revert the newer run first (`--run ID`), or use --to REV",
    )


def check_from_heads(session: Session, expected: Sequence[str]) -> NothingToDo | None:
    """``--from-heads``: None when the database is there; NothingToDo when the last change
    of its heads was a revert from there to here (this revert, run before); else refused."""
    heads = set(session.heads)
    if heads == set(expected):
        return None
    for run in session.history.runs(limit=50):
        if run.status != RunStatus.SUCCEEDED or set(run.from_revisions) == set(run.to_revisions):
            continue  # no-op runs, failures: they did not move the heads
        if (
            run.command == "revert"
            and set(run.from_revisions) == set(expected)
            and set(run.to_revisions) == heads
        ):
            return NothingToDo(
                f"already reverted by run {run.run_id} (from {_text(expected)} to "
                f"{_text(session.heads)}), nothing to do",
                run.reverts_run_id,
            )
        break
    raise UsageError(
        f"the database is at {_text(session.heads)}, not at {_text(expected)} "
        "(--from-heads); nothing done",
        hint="`migsafe status` shows where it is and `migsafe history` what moved it",
    )
