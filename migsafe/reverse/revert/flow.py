"""``migsafe revert``: from what the user asked to a plan, and the plan run.

1. Nothing to do? ``--run RUN_ID`` names the upgrade to undo, ``--from-heads`` where the
   revert expects to start; a revert already done (the same command retried by a deploy
   system) is a no-op that says so, never a revert of the run before it.
2. The stored rows, each revision undone its best way (:mod:`migsafe.reverse.revert.stored`),
   the fills of rows written since a column was dropped, a refusal before anything runs when
   some would come back empty, and what each ``downgrade()`` step deletes.
3. Else the migrations' own ``downgrade()`` under the guard, as with Alembic: only when no
   data migsafe kept would be lost by it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from alembic.runtime.migration import RevisionStep

from migsafe.engine import runner
from migsafe.engine.events import ProgressFn
from migsafe.engine.plan import Plan
from migsafe.engine.runner import make_plan as make_guard_plan
from migsafe.engine.runner import plan_limits
from migsafe.engine.runs import Direction, RunStatus
from migsafe.engine.session import Session
from migsafe.errors import ConfigError, NotReversibleError
from migsafe.results import RunResult
from migsafe.reverse import store
from migsafe.reverse.restore_kept import describe, kept_by_upgrade
from migsafe.reverse.revert import downgrade_drops
from migsafe.reverse.revert import fill as revert_fill
from migsafe.reverse.revert import run as revert_run
from migsafe.reverse.revert.stored import (
    StoredRevert,
    chain_from_heads,
    make_plan,
    resolve_fills,
    revision_path,
    select,
    unfilled,
)
from migsafe.reverse.revert.targets import (
    NothingToDo,
    check_from_heads,
    check_request,
    check_reversible,
    named_run,
    revert_target,
)
from migsafe.reverse.store import ReverseSource


@dataclass(frozen=True)
class RevertRequest:
    """What the user asked for (the options of ``migsafe revert``)."""

    to: str | None = None
    steps: int | None = None
    run: str | None = None
    from_heads: tuple[str, ...] | None = None
    fills: Mapping[str, str] = field(default_factory=dict)
    use_downgrade: bool = False
    # Rows written since the upgrade that its data changes touched (reverse/rows/restore.py):
    # "refuse", "keep-current" or "restore".
    on_conflict: str = "refuse"


@dataclass(frozen=True)
class Chosen:
    """The plan, and what runs it: stored rows, downgrade() steps, or nothing."""

    plan: Plan
    stored: StoredRevert | None = None
    steps: list[RevisionStep] = field(default_factory=list)
    reverts: str | None = None  # the run the downgrade() steps undo whole
    nothing: NothingToDo | None = None


def choose(
    session: Session, request: RevertRequest, *, probed: bool, dry_run: bool = False
) -> Chosen:
    """The plan for *request* from where the database is; *probed*: the heads were read
    through env.py (else, from the version table directly, and env.py runs only if
    downgrade() steps are needed)."""
    nothing = _nothing_to_do(session, request)
    if nothing is not None:
        return Chosen(plan=_empty_plan(session), nothing=nothing)
    picked = select(
        session,
        request.to,
        request.steps,
        run_id=request.run,
        use_downgrade=request.use_downgrade,
    )
    if isinstance(picked, StoredRevert):
        return _stored(session, request, picked, dry_run=dry_run)
    if not probed:
        session.reprobe()
    return _downgrades(session, request, picked)


def _nothing_to_do(session: Session, request: RevertRequest) -> NothingToDo | None:
    checked = check_request(session, request.to, request.steps)
    if checked is not None:
        return checked
    if request.from_heads is not None:
        found = check_from_heads(session, request.from_heads)
        if found is not None:
            return found
    if request.run is not None:
        run = named_run(session, request.run)
        if isinstance(run, NothingToDo):
            return run
    return None


def _empty_plan(session: Session) -> Plan:
    heads = tuple(sorted(session.heads))
    return Plan(
        command="revert",
        direction=Direction.DOWNGRADE,
        database=session.database,
        target=", ".join(heads) or "base",
        from_heads=heads,
        to_heads=heads,
        steps=(),
        **plan_limits(session),
    )


def _target_text(request: RevertRequest, chosen: StoredRevert) -> str:
    if request.to is not None:
        return request.to
    if request.steps is not None:
        return f"-{request.steps}"
    return ", ".join(chosen.to_heads) or "base"


def _stored(
    session: Session, request: RevertRequest, picked: StoredRevert, *, dry_run: bool
) -> Chosen:
    picked = resolve_fills(session, picked, request.fills)
    empty = unfilled(session, picked)
    loss = _data_loss(
        session,
        [
            (u.row.revision, revision_path(session, u.row.revision))
            for u in picked.undo
            if u.way == ReverseSource.DOWNGRADE
        ],
    )
    plan = make_plan(session, picked, _target_text(request, picked), data_loss=loss)
    if empty:
        message = revert_fill.refusal(empty)
        if not dry_run:
            raise NotReversibleError(message, hint=revert_fill.refusal_hint(empty))
        plan = replace(plan, warnings=(*plan.warnings, f"would be refused: {message}"))
    return Chosen(plan=plan, stored=picked)


def _data_loss(session: Session, steps: list[tuple[str, str | None]]) -> tuple[str, ...]:
    """What each downgrade() step deletes, read from its source and counted now."""
    out = []
    with session.aux() as conn:
        for revision, path in steps:
            if path is None:
                continue
            found = downgrade_drops.with_data(conn, downgrade_drops.drops_in(path))
            if found:
                out.append(downgrade_drops.describe_loss(revision, found))
    return tuple(out)


def _downgrades(session: Session, request: RevertRequest, why_not_stored: str | None) -> Chosen:
    """The migrations' own downgrade() under the guard; refused if it would lose kept data."""
    try:
        target, reverts, revision_steps = revert_target(
            session, request.to, request.steps, run_id=request.run
        )
        plan = make_guard_plan(session, "revert", Direction.DOWNGRADE, target, revision_steps)
        check_reversible(plan)
    except ConfigError as exc:  # not reversible, or revision files missing (not usage)
        if why_not_stored is None:
            raise
        raise NotReversibleError(
            f"no way back: {why_not_stored}; and downgrade() cannot do it either: {exc.message}",
            hint="revert from a snapshot: `migsafe snapshot list`, then "
            "`migsafe revert --from-snapshot ID`",
        ) from exc
    undone = {s.revision.revision for s in revision_steps}
    lost = [
        f"{describe(a)} ({row.revision})"
        for row in _stored_rows_undone(session, undone)
        if row.archives_pruned_at is None
        for a in kept_by_upgrade(row.archives)
    ]
    if lost:
        raise NotReversibleError(
            f"going back with downgrade() would lose data migsafe kept: {', '.join(lost)}"
            + (f" ({why_not_stored})" if why_not_stored else "")
            + "; nothing was run",
            hint="revert without --use-downgrade (the stored reverses bring it back), or in "
            "steps the stored reverses can take (--steps N), or --from-snapshot",
        )
    notes = list(plan.notes)
    if why_not_stored is not None:
        notes.append(f"using downgrade(): {why_not_stored}")
    loss = _data_loss(session, [(s.revision, s.path) for s in plan.steps])
    plan = replace(plan, notes=tuple(notes), warnings=(*plan.warnings, *loss), data_loss=loss)
    return Chosen(plan=plan, steps=revision_steps, reverts=reverts)


def _stored_rows_undone(session: Session, undone: set[str]) -> list[store.StoredReverse]:
    """The stored rows (not reverted yet) of the revisions downgrade() steps undo."""
    out = []
    for row in chain_from_heads(session):
        if row.revision not in undone:
            break
        out.append(row)
    return out


def execute(
    session: Session,
    chosen: Chosen,
    run_id: str,
    progress: ProgressFn | None,
    *,
    on_conflict: str = "refuse",
) -> RunResult:
    """Run what :func:`choose` chose (the caller holds the runner lock and has confirmed)."""

    if chosen.stored is not None:
        return revert_run.run(
            session, chosen.plan, chosen.stored, run_id, progress, on_conflict=on_conflict
        )
    undone = {s.revision.revision for s in chosen.steps}
    rows = _stored_rows_undone(session, undone)
    result = runner.execute(
        session,
        chosen.plan,
        chosen.steps,
        run_id,
        progress,
        reverts=chosen.reverts,
        generate_reverse=False,
    )
    if result.status == RunStatus.SUCCEEDED and rows:
        # Undone: their stored reverses must never run again.
        with session.aux() as conn:
            store.mark_reverted(
                conn, session.history.schema, [r.id for r in rows if r.id is not None], run_id
            )
    return result


def nothing_result(chosen: Chosen) -> RunResult:
    assert chosen.nothing is not None
    return RunResult(
        run_id=None,
        command="revert",
        status=RunStatus.NOOP,
        plan=chosen.plan,
        at_heads=chosen.plan.from_heads,
        reverted_run_id=chosen.nothing.reverted_run_id,
        message=chosen.nothing.message,
    )
