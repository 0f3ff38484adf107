"""Run a plan under the runner lock, with the history recorded around the guard.

This is the orchestration behind ``upgrade`` and ``revert``: plan from the current heads, take
the runner lock, record the run, run the guard, record the outcome, and turn a failure into the
error with the exit code that says which state the database is in.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import psycopg
from alembic.runtime.migration import RevisionStep
from psycopg.conninfo import make_conninfo

from migsafe.db.fingerprint import DEFAULT_EXCLUDE_SCHEMAS
from migsafe.engine import history as hist
from migsafe.engine import interrupts
from migsafe.engine.backup import Backup, OnFailure
from migsafe.engine.backup import restore as restore_snapshot
from migsafe.engine.direct import DirectRun
from migsafe.engine.events import ProgressFn
from migsafe.engine.failures import describe_error, failure_error
from migsafe.engine.guard import Guard, GuardOptions, Outcome, ReverseOptions
from migsafe.engine.history import StepEvent
from migsafe.engine.lock import Holder, LockWaitFn, RunnerLock
from migsafe.engine.offline import render_sql
from migsafe.engine.plan import Plan, build_plan
from migsafe.engine.run_record import RunRecord
from migsafe.engine.runs import Direction, RunStatus
from migsafe.engine.session import Session, open_session
from migsafe.errors import (
    IrreversibleStep,
    KeptDataLost,
    MigsafeError,
    ReverseMismatch,
)
from migsafe.results import RunResult
from migsafe.reverse.capture import FingerprintScope
from migsafe.settings import Settings
from migsafe.snapshots.model import SnapshotMode
from migsafe.snapshots.pgtools import libpq_invocation, url_password


def open_run(settings: Settings, *, dry_run: bool) -> tuple[str, Session]:
    """A run id and the session for it: read-only and unlocked for a dry run."""
    run_id = hist.new_run_id()
    session = open_session(
        settings,
        application_name=f"migsafe run={run_id}",
        probe_now=dry_run,
        lock_run_id=None if dry_run else run_id,
        read_only=dry_run,
    )
    return run_id, session


@contextmanager
def lock(session: Session, run_id: str, on_wait: LockWaitFn | None) -> Iterator[RunnerLock]:
    """Hold the runner lock; its connection doubles as the run's auxiliary connection."""

    def describe(holder: Holder) -> Holder:
        if holder.run_id is None:
            return holder
        run = session.history.get(holder.run_id)
        if run is None:
            return holder
        return Holder(
            run_id=run.run_id,
            host=run.host or holder.host,
            pid=run.pid or holder.pid,
            since=run.started_at.isoformat(timespec="seconds"),
        )

    with (
        RunnerLock(
            session.url,
            run_id=run_id,
            wait=session.settings.lock_wait,
            on_wait=on_wait,
            describe_holder=describe,
            connection=session.take_lock_connection(),
        ) as held,
        session.aux_through(held.connection),
    ):
        yield held


def plan_limits(session: Session) -> dict[str, Any]:
    """The guard settings and version table every plan of this session records."""
    settings = session.settings
    return {
        "lock_timeout": settings.lock_timeout,
        "statement_timeout": settings.statement_timeout,
        "retries": settings.retries,
        "verify": settings.verify,
        "version_table": session.versions.name,
        "version_table_schema": session.versions.schema,
    }


def make_plan(
    session: Session, command: str, direction: Direction, target: str, steps: list[RevisionStep]
) -> Plan:
    settings = session.settings
    plan = build_plan(
        session.project,
        command=command,
        direction=direction,
        database=session.database,
        target=target,
        from_heads=session.heads,
        steps=steps,
        reverse=settings.reverse,
        captures_rows=settings.capture_rows,
        sqlite=session.is_sqlite,
        **plan_limits(session),
    )
    notes: list[str] = []
    if session.is_sqlite and settings.statement_timeout is not None:
        notes.append("--statement-timeout has no effect on SQLite (it has no statement timeout)")
    for step in plan.steps:
        if step.writes_rows:
            notes.append(
                f"{step.revision} writes rows ({', '.join(step.writes_rows)}): their "
                "before-images are kept as it runs, so that a revert puts them back"
            )
    for step in plan.non_transactional:
        for run_id, detail in session.history.unfinished_journal(step.revision, step.direction):
            notes.append(
                f"{step.revision} was started by run {run_id} and never finished"
                + (f" ({detail})" if detail else "")
                + "; what it left (an INVALID index) is cleaned up before it runs again"
            )
    return replace(plan, notes=tuple(notes)) if notes else plan


def dry_run(session: Session, plan: Plan, steps: list[RevisionStep]) -> RunResult:
    sql, notes = (
        render_sql(session.project, session.url, session.heads, steps) if steps else ({}, [])
    )
    plan = plan.with_sql(sql, notes)
    return RunResult(
        run_id=None,
        command=plan.command,
        status=RunStatus.DRY_RUN,
        plan=plan,
        at_heads=session.heads,
        dry_run=True,
    )


def dry_run_stored(session: Session, plan: Plan) -> RunResult:
    """A revert through stored reverses, shown: the SQL is in the plan already."""
    return RunResult(
        run_id=None,
        command=plan.command,
        status=RunStatus.DRY_RUN,
        plan=plan,
        at_heads=session.heads,
        dry_run=True,
    )


def execute(
    session: Session,
    plan: Plan,
    steps: list[RevisionStep],
    run_id: str,
    progress: ProgressFn | None,
    *,
    reverts: str | None = None,
    generate_reverse: bool = True,
    backup: Backup | None = None,
    direct: DirectRun | None = None,
) -> RunResult:
    """Record the run, run the guard, record the outcome; raise if it failed.

    The plan was made under the runner lock from the heads read then; the guard refuses to
    run it if they moved since (something other than migsafe migrated the database).
    """
    record = RunRecord.start(
        session,
        run_id,
        plan,
        reverts=reverts,
        snapshot_id=backup.snapshot.id if backup is not None else None,
    )
    guard = Guard(
        session.project,
        plan,
        steps,
        session.conn,
        session.versions,
        session.history,
        run_id,
        GuardOptions(
            lock_timeout=session.settings.lock_timeout,
            statement_timeout=session.settings.statement_timeout,
            retries=session.settings.retries,
            verify=session.settings.verify,
        ),
        progress,
        aux=session.aux,
        reverse=reverse_options(session, backup=backup is not None) if generate_reverse else None,
        direct=direct,
    )
    cancel = _canceller(session)
    try:
        with interrupts.cancel_on_signal(cancel) if cancel else contextlib.nullcontext():
            outcome = guard.run()
    except BaseException as exc:  # a bug, or a kill
        _record_crash(record, guard, exc)
        raise
    plan = guard.plan
    error = describe_error(outcome.error, session) if outcome.error is not None else None
    restore_note: str | None = None
    if outcome.status == RunStatus.NOT_RESTORED and backup is not None:
        outcome, restore_note = _snapshot_guard(session, plan, outcome, backup)
        if outcome.status == RunStatus.RESTORED and outcome.failed_revision:
            session.history.journal_write(
                run_id, outcome.failed_revision, plan.direction, StepEvent.RESTORED, restore_note
            )
    recorded = record.finish(
        status=outcome.status,
        to_revisions=outcome.at_heads if outcome.status == RunStatus.SUCCEEDED else None,
        at_revisions=outcome.at_heads,
        failed_revision=outcome.failed_revision,
        error=f"{error}; {restore_note}" if restore_note else error,
        attempts=outcome.attempts,
        operations=outcome.operations,
    )
    result = record.result(
        status=outcome.status,
        plan=plan,
        at_heads=outcome.at_heads,
        attempts=outcome.attempts,
        failed_revision=outcome.failed_revision,
        error=error,
        step_seconds=outcome.step_seconds,
        cleaned_up=tuple(outcome.cleaned_up),
    )
    if outcome.status == RunStatus.SUCCEEDED:
        record.succeeded(outcome.at_heads)
        return result
    hint = direct.failure_hint if direct is not None else None
    raise _failure(result, outcome, backup, restore_note, recorded=recorded, hint=hint)


def _failure(
    result: RunResult,
    outcome: Outcome,
    backup: Backup | None,
    restore_note: str | None,
    *,
    recorded: bool,
    hint: str | None = None,
) -> MigsafeError:
    """The error a failed run raises: a refusal as itself, else the failure naming the state."""
    if not recorded:
        restore_note = (f"{restore_note}; " if restore_note else "") + (
            "the history row could not be finished (the server is unreachable): the next run "
            "marks it"
        )
    if isinstance(outcome.error, IrreversibleStep | KeptDataLost) and (
        outcome.status == RunStatus.ROLLED_BACK
    ):
        # A refusal, not a failure, and the rollback undid everything before it. (After a
        # step outside a transaction the failure's own message says what may be left.)
        refusal = outcome.error
        if "nothing changed" not in refusal.message:
            refusal.message += f"; rolled back, nothing changed (run {result.run_id})"
            refusal.args = (refusal.message,)
        return refusal
    if isinstance(outcome.error, ReverseMismatch) and outcome.status == RunStatus.ROLLED_BACK:
        mismatch = outcome.error  # its own exit code and the differences it names
        mismatch.message += (
            f"; rolled back, the database is at {', '.join(result.at_heads) or 'base'} "
            f"(run {result.run_id})"
        )
        mismatch.args = (mismatch.message,)
        return mismatch
    return failure_error(
        result, outcome, backup=backup, restore_note=restore_note, default_hint=hint
    )


def _record_crash(record: RunRecord, guard: Guard, exc: BaseException) -> None:
    """Finish the history row of a run the guard did not end with an Outcome (a bug, or a
    signal). The guard returns an Outcome once a step has run, so nothing of the plan ran,
    unless the guard itself broke after a COMMIT."""
    session = record.session
    heads = ", ".join(guard.committed_heads or ()) or "base"
    if guard.finished and guard.committed_any:
        state = f"every step was committed before it: the database is at {heads}"
    elif guard.committed_any:
        state = "the state of the database is not known: `migsafe status` tells"
    else:
        state = "nothing was committed: the database is as it was"
    if not isinstance(exc, MigsafeError | KeyboardInterrupt):
        exc.migsafe_state = state  # type: ignore[attr-defined]  # for the crash line
    interrupted = isinstance(exc, KeyboardInterrupt) and not guard.committed_any
    status = RunStatus.INTERRUPTED
    if interrupted:
        status = RunStatus.ROLLED_BACK
    elif guard.finished and guard.committed_any:
        status = RunStatus.SUCCEEDED  # what the database says; the error says the rest
    record.finish(
        status=status,
        to_revisions=guard.committed_heads if status == RunStatus.SUCCEEDED else None,
        at_revisions=guard.committed_heads if guard.committed_any else None,
        error=describe_error(exc, session)
        if interrupted
        else session.scrub(f"internal error {type(exc).__name__}: {exc}; {state}"),
    )


def _canceller(session: Session) -> Callable[[], None] | None:
    """What cancels the migration connection's running statement from another thread:
    ``pg_cancel_backend`` on a side connection, whatever driver and thread runs it."""
    if session.conn.dialect.name != "postgresql":
        return None
    began = not session.conn.in_transaction()
    try:
        pid = session.conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    finally:
        if began and session.conn.in_transaction():
            session.conn.rollback()  # only the transaction this query began
    url = session.url

    def cancel() -> None:
        with libpq_invocation(url) as libpq:
            password = url_password(url)
            conninfo = make_conninfo(libpq.conninfo, password=password) if password else None
            with psycopg.connect(conninfo or libpq.conninfo, autocommit=True) as side:
                side.execute("SELECT pg_cancel_backend(%s)", (pid,))

    return cancel


def _snapshot_guard(
    session: Session, plan: Plan, outcome: Outcome, backup: Backup
) -> tuple[Outcome, str]:
    """After a failure that committed part of the chain: restore the snapshot, or say how."""
    snap = backup.snapshot
    command = f"migsafe snapshot restore {snap.id}"
    if backup.on_failure != OnFailure.RESTORE:
        return outcome, f"left as it is (--on-failure stop); to go back: {command}"
    try:
        with interrupts.during(f"restoring snapshot {snap.id}"):
            restored = restore_snapshot(
                session, snap, drop_also=backup.created, wait_for_others=True
            )
    except MigsafeError as exc:
        return outcome, f"restoring snapshot {snap.id} failed too: {exc.message}; run: {command}"
    except KeyboardInterrupt:
        name = interrupts.received() or "a signal"
        return outcome, (
            f"restoring snapshot {snap.id} was interrupted by {name} (its transaction did not "
            f"commit); run: {command}"
        )
    at = session.versions.read_fresh()
    if set(at) != set(plan.from_heads):
        note = f"snapshot {snap.id} was restored but the database is at {', '.join(at) or 'base'}"
        return replace(outcome, at_heads=at), note
    what = (
        f"{len(snap.tables)} tables" if snap.mode == SnapshotMode.TABLES else "the whole database"
    )
    return replace(outcome, status=RunStatus.RESTORED, at_heads=at), (
        f"restored snapshot {snap.id} ({what}; {restored.untouched})"
    )


#: Dialects whose steps get a generated reverse as they run.
REVERSE_DIALECTS = ("postgresql", "sqlite")


def reverse_options(session: Session, *, backup: bool) -> ReverseOptions | None:
    """How this session's upgrade generates reverse scripts; None when it does not."""
    settings = session.settings
    if not settings.reverse or session.url.get_backend_name() not in REVERSE_DIALECTS:
        return None
    return ReverseOptions(
        archive_schema=settings.archive_schema,
        scope=fingerprint_scope(session),
        allow_irreversible=settings.allow_irreversible,
        backup=backup,
        data_archive_limit=settings.data_archive_limit,
        capture_rows=settings.capture_rows,
    )


def fingerprint_scope(session: Session) -> FingerprintScope:
    """What the recorded schema fingerprints leave out: migsafe's own schemas and the
    version table (a flag trigger on it, or its rows, are not the application's schema)."""
    s = session.settings
    versions = session.versions
    qualified = f"{versions.schema}.{versions.name}" if versions.schema else versions.name
    schemas = (*DEFAULT_EXCLUDE_SCHEMAS, s.schema, s.archive_schema, s.flags_schema)
    return FingerprintScope(
        exclude_schemas=tuple(dict.fromkeys(schemas)), exclude_tables=(qualified,)
    )


def refuse_irreversible(plan: Plan, session: Session, *, backup: bool) -> Plan:
    """Steps whose source already shows them irreversible: covered, or refused now.

    Covered means --allow-irreversible, a --backup snapshot, or a downgrade() (tested as the
    step runs). What is only known as it runs is judged then, inside the transaction.
    """
    if reverse_options(session, backup=backup) is None:
        return plan
    notes: list[str] = []
    for step in plan.steps:
        if not step.irreversible:
            continue
        reason = "; ".join(step.irreversible)
        # A tested downgrade() comes first: the run-wide options cover only what it cannot.
        if step.reversible and step.downgrade_in_transaction:
            cover = "its downgrade() stands in (tested in a savepoint as it runs)"
            if session.settings.allow_irreversible or backup:
                cover += "; should that test fail, " + (
                    "--allow-irreversible applies it anyway"
                    if session.settings.allow_irreversible
                    else "the --backup snapshot covers it"
                )
        elif session.settings.allow_irreversible:
            cover = "allowed by --allow-irreversible: revert it from a snapshot"
        elif backup:
            cover = "covered by the --backup snapshot"
        else:
            raise IrreversibleStep(
                f"{step.revision} is irreversible ({reason}); refused before anything ran",
                revision=step.revision,
                hint="rerun with --backup (a snapshot to go back to) or --allow-irreversible, "
                "or give the migration a downgrade() that runs in a transaction",
            )
        notes.append(f"{step.revision} is irreversible ({reason}); {cover}")
    _refuse_judged_after_a_commit(plan, session, backup=backup)
    return replace(plan, warnings=(*plan.warnings, *notes)) if notes else plan


def _refuse_judged_after_a_commit(plan: Plan, session: Session, *, backup: bool) -> None:
    """A step only judged as it runs, placed where a refusal could no longer roll back.

    A plan with a step outside the transaction commits there. A later step whose reverse is
    only known as it runs (SQL built at run time, statements on the connection, an ORM
    backfill), refused then, would leave the database half upgraded, and running again would
    meet the same refusal. So the whole plan is judged now: such a step needs a cover before
    anything runs (its downgrade() tested in a savepoint is one).
    """
    if backup or session.settings.allow_irreversible:
        return
    first_outside = next((s for s in plan.steps if not s.transactional), None)
    if first_outside is None:
        return
    after = plan.steps[plan.steps.index(first_outside) :]
    for step in after:
        if step.raw_sql and not (step.reversible and step.downgrade_in_transaction):
            where = (
                "outside a transaction"
                if step is first_outside
                else f"after {first_outside.revision} commits outside a transaction"
            )
            raise IrreversibleStep(
                f"{step.revision} may be irreversible, which is only judged as it runs (SQL "
                f"built at run time or run on the connection), and it runs {where}, where a "
                "refusal could not roll back; refused before anything ran",
                revision=step.revision,
                hint="rerun with --backup (a snapshot to go back to) or --allow-irreversible, "
                "or give the migration a downgrade() that runs in a transaction",
            )
