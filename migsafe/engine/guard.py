"""The transactional guard: run a plan's steps so that a failure leaves a named state.

The whole plan runs in one env.py run, as ``alembic upgrade`` runs a chain in one command.
Consecutive transactional steps run in ONE transaction on migsafe's connection, with
``lock_timeout``/``statement_timeout`` set for it; a lock timeout rolls that transaction back
and retries it (a new env.py run from the last commit) with backoff. A step that cannot run
in a transaction (``autocommit_block()``, a commit of the migration's connection, a bare
``CONCURRENTLY``) runs alone between two transactions, journaled, with leftovers of an
earlier failed attempt (INVALID indexes) dropped first. Verification queries run before the
last COMMIT.
"""

from __future__ import annotations

import contextlib
import copy
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext, MigrationInfo, RevisionStep

from migsafe.db.dberrors import is_lock_timeout
from migsafe.engine import interrupts
from migsafe.engine.direct import DirectRun
from migsafe.engine.envpy import run_env
from migsafe.engine.events import Progress, ProgressFn
from migsafe.engine.history import History, StepEvent
from migsafe.engine.indexes import drop_concurrently, invalid_indexes
from migsafe.engine.plan import Plan, PlanStep
from migsafe.engine.project import Project
from migsafe.engine.recording import Recorder
from migsafe.engine.retry import retry_after_lock_timeout
from migsafe.engine.runs import RunStatus
from migsafe.engine.verify import VerifyFailed, run_checks
from migsafe.engine.versions import VersionTable
from migsafe.reverse import store as reverse_store
from migsafe.reverse.capture import (
    CoveredBy,
    FingerprintScope,
    ReverseCapture,
)

__all__ = [
    "ConcurrentChange",
    "Guard",
    "GuardOptions",
    "Outcome",
    "VerifyFailed",
    "is_lock_timeout",
]


@dataclass
class Outcome:
    """How the execution of a plan ended."""

    status: RunStatus
    at_heads: tuple[str, ...]
    attempts: int
    failed_revision: str | None = None
    error: BaseException | None = None
    step_seconds: dict[str, float] = field(default_factory=dict)
    cleaned_up: list[str] = field(default_factory=list)
    operations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


class ConcurrentChange(Exception):
    """The version table changed between planning and running."""


@dataclass(frozen=True)
class GuardOptions:
    lock_timeout: float
    statement_timeout: float | None
    retries: int
    verify: tuple[str, ...]
    backoff_base: float = 0.5
    backoff_max: float = 10.0


@dataclass(frozen=True)
class ReverseOptions:
    """Generate and store reverse scripts while the steps run (see migsafe.reverse.capture)."""

    archive_schema: str
    scope: FingerprintScope
    allow_irreversible: bool = False
    backup: bool = False  # the run has a snapshot to go back to
    data_archive_limit: int | None = None  # bytes of row before-images per revision
    capture_rows: bool = True  # before-images of the rows data changes write (PostgreSQL)


class Guard:
    """Runs the steps of one plan on one connection."""

    def __init__(
        self,
        project: Project,
        plan: Plan,
        steps: Sequence[RevisionStep],
        conn: sa.Connection,
        versions: VersionTable,
        history: History | None,
        run_id: str,
        options: GuardOptions,
        progress: ProgressFn | None = None,
        sleep: Callable[[float], None] = time.sleep,
        aux: Callable[[], AbstractContextManager[sa.Connection]] | None = None,
        reverse: ReverseOptions | None = None,
        direct: DirectRun | None = None,
    ) -> None:
        self.project = project
        self.plan = plan
        self.steps = {step.revision.revision: step for step in steps}
        self.direct = direct  # the plan's steps are migsafe's own (a stored revert)
        self.conn = conn
        self.versions = versions
        self.history = history
        self.run_id = run_id
        self.options = options
        self.progress = progress or (lambda _event: None)
        self.sleep = sleep
        self.aux = aux or self._fresh_autocommit
        self.sqlite = conn.dialect.name == "sqlite"
        self.current: str | None = None
        self.attempts = 0
        self._started: dict[str, float] = {}
        self._seconds: dict[str, float] = {}
        self._cleaned: list[str] = []
        self.reverse_options = reverse
        self.reverse = (
            ReverseCapture(
                archive_schema=reverse.archive_schema,
                coverage=self._coverage,
                scope=reverse.scope,
                version_table=versions.name,
                fallback=CoveredBy.ALLOW_IRREVERSIBLE
                if reverse.allow_irreversible
                else CoveredBy.BACKUP
                if reverse.backup
                else None,
                data_archive_limit=reverse.data_archive_limit,
                capture_rows=reverse.capture_rows,
            )
            if reverse is not None
            else None
        )
        if self.reverse is not None:
            self.reverse.set_version_table(versions.name, versions.schema)
        self.recorder = Recorder(self.reverse)
        self._pending: list[reverse_store.StoredReverse] = []
        self._seq = 0
        self._heads_now: tuple[str, ...] = ()
        self._heads_after: tuple[str, ...] | None = None
        # Where the run is: segments before ``_done`` are committed; ``_in_transaction``
        # says whether the segment now running is a transactional one.
        self._done = 0
        self._committed_any = False
        self._in_transaction = True
        self._trans: sa.Transaction | None = None
        self._steps_in_transaction = 0
        self._committed_heads: tuple[str, ...] | None = None
        self._tries = 0
        # Alembic's per-run memory (DefaultImpl.memo: e.g. the enum types create_table has
        # created) as of the last commit: a retry's new env.py run starts from it, so that a
        # type an earlier, committed revision created is not created a second time.
        self._memo: dict[Any, Any] = {}

    @property
    def committed_any(self) -> bool:
        """Some segment of the plan was committed (the database is no longer as it was)."""
        return self._committed_any

    # -- public -----------------------------------------------------------------------------
    def run(self) -> Outcome:
        """Run the whole plan in one env.py run; a failure returns an Outcome naming the state.

        Transactional segments and the non-transactional steps between them all run inside
        that one run, as ``alembic upgrade`` runs a chain in one command: the guard commits
        and begins its transactions between the steps it hands to Alembic. Only a lock
        timeout starts env.py again (a retry of the segment that met it).
        """
        while True:
            try:
                self._one_env_run()
                return self._succeeded()
            except BaseException as exc:
                if self.finished:
                    # After the last COMMIT (in env.py's tail): the work is done and stays
                    # done. A signal there is only noted; anything else is migsafe's own bug.
                    interrupts.settle()
                    with interrupts.shielded(reraise=False):
                        self._abandon_transaction()
                    if isinstance(exc, interrupts.Interrupted):
                        return self._succeeded()
                    raise
                # A second signal must not break the clean-up of the first.
                with interrupts.shielded(reraise=False):
                    self._abandon_transaction()
                self._heads_after = self._committed_heads
                if self._in_transaction and self.current is not None:
                    self.progress(Progress("rollback", revision=self.current))
                if self._in_transaction and retry_after_lock_timeout(
                    exc,
                    self._tries,
                    self.options.retries,
                    progress=self.progress,
                    sleep=self.sleep,
                    revision=self.current,
                    base=self.options.backoff_base,
                    ceiling=self.options.backoff_max,
                ):
                    continue
                # A step outside the transaction that failed before anything of it left a
                # transaction (no commit, no autocommit statement) was rolled back whole.
                contained = self._in_transaction or not self._step_left_transaction
                with interrupts.shielded(reraise=False):
                    return self._failed(
                        exc, committed_any=self._committed_any, transactional=contained
                    )

    @property
    def finished(self) -> bool:
        """Every step is committed and checked: nothing of the run can be undone."""
        return self._all_committed() and not self._more_to_check()

    @property
    def committed_heads(self) -> tuple[str, ...] | None:
        """The heads as of the run's last COMMIT; None before it."""
        return self._committed_heads

    def _all_committed(self) -> bool:
        """Every segment of the plan is committed (nothing is left to roll back)."""
        return self._done >= len(self.plan.segments())

    def _one_env_run(self) -> None:
        """One try of every segment not committed yet: through one env.py run for Alembic's
        steps, or on the connection for direct ones."""
        if self.direct is not None:
            with self.direct.around_attempt(self.conn):
                self._open_transaction(self._first_revisions())
                self._run_direct(self.direct)
                self._end_of_steps()
            return
        self._open_transaction(self._first_revisions())
        self._run_env()
        self._end_of_steps()

    def _end_of_steps(self) -> None:
        if self._in_transaction:
            if self.options.verify:
                self._verify()
            self._commit_segment()
        elif self.options.verify and self.plan.steps:
            self._verify_alone()
        interrupts.settle()  # committed: a signal from now on cannot undo it

    def _first_revisions(self) -> list[str]:
        segments = self.plan.segments()
        return [s.revision for s in segments[self._done][1]] if self._done < len(segments) else []

    def _succeeded(self) -> Outcome:
        # Alembic reports the heads after each step; with no step the plan's start stands.
        at = self._heads_after if self._heads_after is not None else self.plan.from_heads
        return Outcome(
            status=RunStatus.SUCCEEDED,
            at_heads=at,
            attempts=self.attempts,
            step_seconds=dict(self._seconds),
            cleaned_up=list(self._cleaned),
            operations=dict(self.recorder.by_revision),
        )

    def _failed(
        self,
        exc: BaseException,
        *,
        committed_any: bool,
        transactional: bool,
    ) -> Outcome:
        at = self._read_heads()
        # A step outside a transaction may have changed anything before it failed (an UPDATE
        # in its autocommit block, half an index): only a transaction's rollback proves that
        # nothing is left, so such a failure is never reported as rolled back.
        changed = committed_any or not transactional
        return Outcome(
            status=RunStatus.NOT_RESTORED if changed else RunStatus.ROLLED_BACK,
            at_heads=at,
            attempts=self.attempts,
            failed_revision=self.current,
            error=exc,
            step_seconds=dict(self._seconds),
            cleaned_up=list(self._cleaned),
            operations=dict(self.recorder.by_revision),
        )

    @contextlib.contextmanager
    def _fresh_autocommit(self) -> Iterator[sa.Connection]:
        with self.conn.engine.connect() as conn:
            yield conn.execution_options(isolation_level="AUTOCOMMIT")

    def _read_heads(self) -> tuple[str, ...]:
        """The heads as committed, read beside the migration's connection (it may be broken).

        When the server cannot be reached (restarted, the connection lost), what the guard
        knows stands: the heads of its last COMMIT, or the plan's start.
        """
        try:
            with self.aux() as conn:
                return self.versions.read(conn)
        except (sa.exc.DBAPIError, sa.exc.PendingRollbackError):
            known = self._committed_heads
            return known if known is not None else self.plan.from_heads

    # -- transactional segments -------------------------------------------------------------
    def _open_transaction(self, revisions: list[str]) -> None:
        """BEGIN a transactional segment (or the planning one): timeouts, a fresh record."""
        self._in_transaction = True
        self._tries += 1
        self.attempts += 1
        self._steps_in_transaction = 0
        self.recorder.clear(revisions)  # a retry starts afresh
        self._seq -= len(self._pending)
        self._pending = []
        if self.conn.in_transaction():  # autobegun by a statement outside any segment
            self.conn.commit()
        self._trans = self.conn.begin()
        self._session_settings(local=True)

    def _commit_segment(self) -> None:
        """COMMIT the transactional segment now running, with its reverse rows."""
        self._store_reverses()
        assert self._trans is not None
        # A signal during the COMMIT waits until the guard knows it committed.
        with interrupts.shielded():
            self._trans.commit()
            self._trans = None
            self._segment_done()
            if self._all_committed() and not self._more_to_check():
                interrupts.settle()
        self.progress(Progress("commit"))

    def _more_to_check(self) -> bool:
        """A --verify query still runs after this COMMIT (after a last step outside)."""
        return bool(self.options.verify) and not self._in_transaction and not self._verified

    def _commit_empty(self) -> None:
        """COMMIT the transaction env.py started in when no step ran in it (the planning, or
        what precedes a first step that runs outside): it is not a segment of the plan."""
        assert self._trans is not None
        self._trans.commit()
        self._trans = None
        self.attempts -= 1
        self._tries = 0

    def _segment_done(self) -> None:
        # Direct steps are one transaction, whatever segments their plan lists.
        self._done = len(self.plan.segments()) if self.direct is not None else self._done + 1
        self._committed_any = True
        self._committed_heads = self._heads_after
        self._tries = 0
        ctx = self._ctx
        if ctx is not None:
            self._memo = _copied(ctx.impl.memo)

    def _abandon_transaction(self) -> None:
        self._stop_watching()
        trans, self._trans = self._trans, None
        if trans is not None:
            _safe_rollback(trans)
        if self.conn.in_transaction():
            _safe_rollback(self.conn)
        if not self._in_transaction:
            self._leave_autocommit()
            self._reset_session_settings()

    # -- non-transactional steps --------------------------------------------------------------
    def _open_step_outside(self, plan_step: PlanStep, ctx: MigrationContext) -> None:
        """Leave the guard's transaction for one step, as Alembic's transaction_per_migration
        would run it: its own transaction, which its autocommit_block() commits."""
        self._in_transaction = False
        self.attempts += 1
        self.current = plan_step.revision
        self._drop_invalid_leftovers(plan_step)
        if self.history is not None:
            self.history.journal_write(
                self.run_id, plan_step.revision, plan_step.direction, StepEvent.STARTED
            )
        self._session_settings(local=False)
        self.conn.commit()
        self._watch = _LeftTransaction(self.conn).start()
        if plan_step.autocommit:
            # Statements PostgreSQL refuses in a transaction, outside any autocommit_block():
            # the step runs on the connection in autocommit, as on an env.py that hands over
            # an autocommit connection.
            self.conn.execution_options(isolation_level="AUTOCOMMIT")
            self._autocommit_on = True
        _hand_alembic_a_transaction(ctx, self.conn)

    def _close_step_outside(self, plan_step: PlanStep, ctx: MigrationContext) -> None:
        with interrupts.shielded():
            self._close_step_outside_shielded(plan_step, ctx)

    def _close_step_outside_shielded(self, plan_step: PlanStep, ctx: MigrationContext) -> None:
        self._stop_watching()
        _take_alembic_transaction(ctx)
        if self.conn.in_transaction():
            self.conn.commit()
        self._leave_autocommit()
        self._store_reverses()
        if self.conn.in_transaction():
            self.conn.commit()
        self._reset_session_settings()
        invalid = self._invalid_indexes(plan_step.concurrent_indexes)
        if invalid:
            raise RuntimeError(f"index {', '.join(invalid)} was left INVALID by a concurrent build")
        if self.history is not None:
            self.history.journal_write(
                self.run_id, plan_step.revision, plan_step.direction, StepEvent.FINISHED
            )
        self._segment_done()

    _autocommit_on = False
    _watch: _LeftTransaction | None = None

    @property
    def _step_left_transaction(self) -> bool:
        return self._watch is not None and self._watch.left

    def _stop_watching(self) -> None:
        """Stop watching the step outside the transaction; what it saw stays readable."""
        if self._watch is not None:
            self._watch.stop()

    def _leave_autocommit(self) -> None:
        if self._autocommit_on:
            self._autocommit_on = False
            if self.conn.in_transaction():
                _safe_rollback(self.conn)
            self.conn.execution_options(isolation_level=self.conn.default_isolation_level)

    def _drop_invalid_leftovers(self, plan_step: PlanStep) -> None:
        """Drop INVALID indexes this step builds: what a failed concurrent build leaves."""
        if self.sqlite or not plan_step.concurrent_indexes:
            return
        for qualified in self._invalid_indexes(plan_step.concurrent_indexes):
            self.progress(
                Progress(
                    "cleanup",
                    revision=plan_step.revision,
                    message=f"dropping INVALID index {qualified}",
                )
            )
            with self.aux() as aux:
                drop_concurrently(aux, qualified)
            self._cleaned.append(qualified)
            if self.history is not None:
                self.history.journal_write(
                    self.run_id,
                    plan_step.revision,
                    plan_step.direction,
                    StepEvent.CLEANUP,
                    f"dropped INVALID index {qualified}",
                )
        if self.conn.in_transaction():
            self.conn.commit()

    def _invalid_indexes(self, names: Sequence[str]) -> list[str]:
        if self.sqlite or not names:
            return []
        found = invalid_indexes(self.conn, names)
        if self.conn.in_transaction():
            self.conn.commit()
        return found

    # -- the one env.py run -------------------------------------------------------------------
    _ctx: MigrationContext | None = None

    def _run_env(self) -> None:
        def migrations(heads: tuple[str, ...], ctx: MigrationContext) -> Iterator[Any]:
            self._ctx = ctx
            yield from self._all_segments(heads, ctx)

        def applied(_info: MigrationInfo, heads: frozenset[str]) -> None:
            self._heads_after = tuple(sorted(heads))
            revision = self.current
            if revision is None:
                return
            self._finish_reverse(revision, self._heads_after)
            elapsed = time.monotonic() - self._started.get(revision, time.monotonic())
            self._seconds[revision] = elapsed
            self.progress(Progress("step_done", revision=revision, elapsed=elapsed))

        run_env(self.project, migrations, connection=self.conn, on_step_applied=applied)

    def _run_direct(self, direct: DirectRun) -> None:
        """The direct steps in the open transaction, the version table set to where they
        lead, then what must hold before the COMMIT."""
        _check_heads(self.versions.read(self.conn), self.plan.from_heads)
        for step in direct.steps:
            self.current = step.revision
            self._steps_in_transaction += 1
            started = time.monotonic()
            self.progress(Progress("step_start", revision=step.revision))
            step.apply(self.conn)
            elapsed = self._seconds[step.revision] = time.monotonic() - started
            self.progress(Progress("step_done", revision=step.revision, elapsed=elapsed))
        self.versions.write(self.conn, direct.to_heads)
        self._heads_after = tuple(direct.to_heads)
        direct.before_commit(self.conn)

    def _all_segments(
        self, heads: tuple[str, ...], ctx: MigrationContext
    ) -> Iterator[RevisionStep]:
        """Plan (the first time), then hand Alembic every remaining step, committing and
        beginning the guard's transactions at the segment boundaries."""
        committed = self._committed_heads
        _check_heads(heads, committed if committed is not None else self.plan.from_heads)
        ctx.impl.memo.update(_copied(self._memo))
        self._heads_now = tuple(sorted(heads))
        segments = self.plan.segments()
        for index in range(self._done, len(segments)):
            transactional, plan_steps = segments[index]
            if not transactional:
                if self._in_transaction and self._steps_in_transaction:
                    self._commit_segment()  # the steps before it
                elif self._in_transaction:
                    self._commit_empty()
                self._open_step_outside(plan_steps[0], ctx)
                yield from self._one_step(self.steps[plan_steps[0].revision], first=True)
                self._close_step_outside(plan_steps[0], ctx)
                continue
            if not self._in_transaction:
                self._open_transaction([s.revision for s in plan_steps])
            for position, plan_step in enumerate(plan_steps):
                yield from self._one_step(self.steps[plan_step.revision], first=position == 0)

    def _one_step(self, step: RevisionStep, *, first: bool) -> Iterator[RevisionStep]:
        """Hand one step to Alembic, recording (and reversing) what it does."""
        self.current = revision = step.revision.revision
        if self.reverse is not None and (first or self._needs_schema_before(revision)):
            # The fingerprint a revert must come back to: taken at the start of each segment,
            # and before a step whose own downgrade() may have to stand in as its reverse.
            self.reverse.take_schema_before(revision, self.conn)
        if self._in_transaction:
            self._steps_in_transaction += 1
        self._started[revision] = time.monotonic()
        self.progress(Progress("step_start", revision=revision))
        with self.recorder.recording(revision, self.conn if self.reverse else None):
            yield step

    # -- reverse scripts ----------------------------------------------------------------------
    def _coverage(self, revision: str) -> CoveredBy | None:
        """What stands in for the reverse of an irreversible *revision*, if anything: its
        own downgrade() first (tested as it runs, then what a revert runs for it); the
        run-wide --allow-irreversible/--backup only for what no downgrade() covers."""
        step = next((s for s in self.plan.steps if s.revision == revision), None)
        # A downgrade() that leaves the transaction (autocommit_block(), COMMIT) cannot be
        # tested in a savepoint: its statements would run for real. It covers nothing.
        if step is not None and step.reversible and step.downgrade_in_transaction:
            return CoveredBy.DOWNGRADE
        options = self.reverse_options
        if options is not None and options.allow_irreversible:
            return CoveredBy.ALLOW_IRREVERSIBLE
        if options is not None and options.backup:
            return CoveredBy.BACKUP
        return None

    def _needs_schema_before(self, revision: str) -> bool:
        step = next((s for s in self.plan.steps if s.revision == revision), None)
        return (
            step is not None
            and step.reversible
            and step.downgrade_in_transaction
            and bool(step.irreversible or step.raw_sql)
        )

    def _finish_reverse(self, revision: str, heads_after: tuple[str, ...]) -> None:
        if self.reverse is None:
            return
        step = self.steps.get(revision)
        self._seq += 1
        self._pending.append(
            self.reverse.finish(
                run_id=self.run_id,
                seq=self._seq,
                revision=revision,
                heads_before=self._heads_now,
                heads_after=heads_after,
                conn=self.conn,
                module=step.revision.module if step is not None else None,
            )
        )
        self._heads_now = heads_after

    def _store_reverses(self) -> None:
        """Write the segment's reverse rows in its transaction, the last with the schema
        fingerprint after it."""
        if self.reverse is None or not self._pending or self.history is None:
            self._pending = []
            return
        with self.reverse.quiet():
            after = self.reverse.scope.schema(self.conn)
            rows = [*self._pending[:-1], replace(self._pending[-1], schema_after=after)]
            reverse_store.insert(self.conn, self.history.schema, rows)
        self._pending = []

    def _session_settings(self, *, local: bool) -> None:
        set_timeouts(
            self.conn, self.options.lock_timeout, self.options.statement_timeout, local=local
        )

    def _reset_session_settings(self) -> None:
        if self.sqlite:
            return
        try:
            self.conn.exec_driver_sql("RESET lock_timeout")
            if self.options.statement_timeout is not None:
                self.conn.exec_driver_sql("RESET statement_timeout")
            self.conn.commit()
        except sa.exc.DBAPIError:
            _safe_rollback(self.conn)

    def _verify(self) -> None:
        run_checks(self.conn, self.options.verify, self.progress)

    _verified = False

    def _verify_alone(self) -> None:
        trans = self.conn.begin()
        try:
            self._verify()
            trans.commit()
        except BaseException:
            _safe_rollback(trans)
            raise
        self._verified = True


_COMMIT = re.compile(r"^\s*(COMMIT|END)\b", re.IGNORECASE)


class _LeftTransaction:
    """Watches a step outside the guard's transaction: did anything of it commit or run
    outside a transaction? If not, its failure rolled back everything it did."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.left = False
        self._listening = False

    def start(self) -> _LeftTransaction:
        sa.event.listen(self.conn, "commit", self._commit)
        sa.event.listen(self.conn, "before_cursor_execute", self._statement)
        self._listening = True
        return self

    def stop(self) -> None:
        if self._listening:
            self._listening = False
            sa.event.remove(self.conn, "commit", self._commit)
            sa.event.remove(self.conn, "before_cursor_execute", self._statement)

    def _commit(self, _conn: sa.Connection) -> None:
        self.left = True

    def _statement(
        self, _conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool
    ) -> None:
        options = getattr(context, "execution_options", None) or {}
        if _COMMIT.match(statement) or options.get("isolation_level") == "AUTOCOMMIT":
            self.left = True


def _check_heads(heads: Sequence[str], expected: Sequence[str]) -> None:
    """Refuse to run steps planned from *expected* on a database now at *heads*."""
    if set(heads) != set(expected):
        raise ConcurrentChange(
            f"the database is at {', '.join(heads) or 'base'}, not at "
            f"{', '.join(expected) or 'base'} as planned; something else migrated it"
        )


def _copied(memo: dict[Any, Any]) -> dict[Any, Any]:
    """A copy of Alembic's per-run memo whose collections a later run may grow: SQLAlchemy
    keeps sets of (schema, name) there; anything that cannot be copied is shared."""
    try:
        return copy.deepcopy(memo)
    except Exception:  # an extension's object in the memo: sharing it is what Alembic does
        return dict(memo)


def _hand_alembic_a_transaction(ctx: MigrationContext, conn: sa.Connection) -> None:
    """Give Alembic the per-step transaction its ``transaction_per_migration`` mode holds.

    env.py configured Alembic on a connection already inside the guard's transaction, so
    Alembic leaves transactions alone ("external transaction"). A step outside the guard
    needs what Alembic would do with ``transaction_per_migration=True``: a transaction of the
    step's own that ``autocommit_block()`` commits before its block and begins again after.
    ``MigrationContext._transaction`` is where Alembic keeps it (Alembic's own
    ``begin_transaction(_per_migration=True)`` sets it): set here so that the same env.py
    run goes on with the steps after this one.
    """
    ctx._transaction = conn.begin()


def _take_alembic_transaction(ctx: MigrationContext) -> None:
    """Commit what is left of the step's own transaction (after its autocommit block)."""
    trans = getattr(ctx, "_transaction", None)
    ctx._transaction = None
    if trans is not None and trans.is_active:
        trans.commit()


def _safe_rollback(target: sa.Connection | sa.Transaction) -> None:
    # A broken connection cannot roll back; the server does when the session ends.
    with contextlib.suppress(Exception):
        target.rollback()


def set_timeouts(
    conn: sa.Connection, lock_timeout: float, statement_timeout: float | None, *, local: bool
) -> None:
    """The guard's lock and statement timeouts for *conn*: ``SET LOCAL`` inside a transaction
    (``local``), for the session otherwise; SQLite only has a busy timeout."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(lock_timeout * 1000)}")
        return
    scope = "LOCAL " if local else ""
    conn.exec_driver_sql(f"SET {scope}lock_timeout = '{int(lock_timeout * 1000)}ms'")
    if statement_timeout is not None:
        conn.exec_driver_sql(f"SET {scope}statement_timeout = '{int(statement_timeout * 1000)}ms'")
