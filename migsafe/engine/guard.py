"""The transactional guard: run a plan's steps so that a failure leaves a named state.

Consecutive transactional steps run in ONE transaction on migsafe's connection, with
``lock_timeout``/``statement_timeout`` set for it; a lock timeout rolls the whole transaction
back and retries it with backoff. Steps that cannot run in a transaction (an
``autocommit_block()``) run alone, journaled, with leftovers of an earlier failed attempt
(INVALID indexes) dropped first. Verification queries run before the last COMMIT.
"""

from __future__ import annotations

import contextlib
import random
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext, MigrationInfo, RevisionStep

from migsafe.engine import reverse_store
from migsafe.engine.capture import Recorder
from migsafe.engine.dberrors import is_lock_timeout
from migsafe.engine.envpy import run_env
from migsafe.engine.events import Progress, ProgressFn
from migsafe.engine.history import NOT_RESTORED, ROLLED_BACK, SUCCEEDED, History
from migsafe.engine.indexes import drop_concurrently, invalid_indexes
from migsafe.engine.plan import Plan, PlanStep
from migsafe.engine.project import Project
from migsafe.engine.reverse_capture import (
    ALLOW,
    BACKUP,
    DOWNGRADE,
    FingerprintScope,
    ReverseCapture,
)
from migsafe.engine.verify import VerifyFailed, run_checks
from migsafe.engine.versions import VersionTable

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

    status: str
    at_heads: tuple[str, ...]
    attempts: int
    failed_revision: str | None = None
    error: BaseException | None = None
    step_seconds: dict[str, float] = field(default_factory=dict)
    cleaned_up: list[str] = field(default_factory=list)
    operations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


class ConcurrentChange(Exception):
    """The version table changed between planning and running."""


class PlanningFailed(Exception):
    """The planner raised (e.g. an unknown revision): nothing ran; re-raise the cause."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


# (heads, version table, version table schema) -> the plan and its steps
Planner = Callable[[tuple[str, ...], VersionTable], tuple[Plan, Sequence[RevisionStep]]]


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
    """Generate and store reverse scripts while the steps run (see reverse_capture)."""

    archive_schema: str
    scope: FingerprintScope
    allow_irreversible: bool = False
    backup: bool = False  # the run has a snapshot to go back to


class Guard:
    """Runs the steps of one plan on one connection."""

    def __init__(
        self,
        project: Project,
        plan: Plan | None,
        steps: Sequence[RevisionStep],
        conn: sa.Connection,
        versions: VersionTable,
        history: History | None,
        run_id: str,
        options: GuardOptions,
        progress: ProgressFn | None = None,
        sleep: Callable[[float], None] = time.sleep,
        aux: Callable[[], AbstractContextManager[sa.Connection]] | None = None,
        planner: Planner | None = None,
        reverse: ReverseOptions | None = None,
    ) -> None:
        self.project = project
        self._plan = plan
        self.planner = planner
        self.steps = {step.revision.revision: step for step in steps}
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
                fallback=ALLOW
                if reverse.allow_irreversible
                else BACKUP
                if reverse.backup
                else None,
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
        self._first_segment_done = False
        self._heads_after: tuple[str, ...] | None = None
        self._single_segment = False
        self._step_left_transaction = False

    @property
    def plan(self) -> Plan:
        assert self._plan is not None, "planned inside the first transaction"
        return self._plan

    # -- public -----------------------------------------------------------------------------
    def run(self) -> Outcome:
        """Run every segment; a failure returns an Outcome that names the state."""
        if self._plan is None:
            # Plan inside the first transaction, from the heads Alembic reads there: one run
            # of env.py (and one connection of its own) instead of a probe plus a run.
            try:
                self._transactional([], None, verify=False, plan_first=True)
            except PlanningFailed as exc:
                raise exc.cause from None
            except BaseException as exc:
                if self._plan is None:
                    raise  # env.py failed before Alembic asked for steps: nothing ran
                return self._failed(exc, committed_any=False, transactional=True)
            if not self._first_segment_done:
                self.attempts -= 1  # that transaction only planned; the steps run below
            if self._first_segment_done:
                remaining = self.plan.segments()[1:]
                if not remaining:
                    return self._succeeded()
                return self._run_segments(remaining, committed_any=True, first_index=1)
        return self._run_segments(self.plan.segments(), committed_any=False, first_index=0)

    def _run_segments(
        self,
        segments: list[tuple[bool, tuple[PlanStep, ...]]],
        *,
        committed_any: bool,
        first_index: int,
    ) -> Outcome:
        total = len(self.plan.segments())
        for offset, (transactional, plan_steps) in enumerate(segments):
            index = first_index + offset
            last = index == total - 1
            steps = [self.steps[s.revision] for s in plan_steps]
            expected = self.plan.from_heads if index == 0 else None
            try:
                if transactional:
                    self._transactional(steps, expected, verify=last)
                else:
                    self._autocommit(plan_steps[0], steps, expected)
                    if last and self.options.verify:
                        self._verify_alone()
            except BaseException as exc:
                # A non-transactional step that failed before anything of it left the
                # transaction (no commit, no autocommit statement) was rolled back whole.
                contained = transactional or not self._step_left_transaction
                return self._failed(exc, committed_any=committed_any, transactional=contained)
            committed_any = True
        return self._succeeded()

    def _succeeded(self) -> Outcome:
        # Alembic reports the heads after each step; with no step the plan's start stands.
        at = self._heads_after if self._heads_after is not None else self.plan.from_heads
        return Outcome(
            status=SUCCEEDED,
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
            status=NOT_RESTORED if changed else ROLLED_BACK,
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
        """The heads as committed, read beside the migration's connection (it may be broken)."""
        with self.aux() as conn:
            return self.versions.read(conn)

    # -- transactional segments -------------------------------------------------------------
    def _transactional(
        self,
        steps: list[RevisionStep],
        expected: tuple[str, ...] | None,
        *,
        verify: bool,
        plan_first: bool = False,
    ) -> None:
        tries = 0
        while True:
            tries += 1
            self.attempts += 1
            trans = self.conn.begin()
            self.recorder.clear([s.revision.revision for s in steps])  # a retry starts afresh
            self._seq -= len(self._pending)
            self._pending = []
            try:
                self._session_settings(local=True)
                self._run_env(steps, expected, per_migration=None, plan_first=plan_first)
                if verify or (plan_first and self._first_segment_done and self._single_segment):
                    self._verify()
                self._store_reverses()
                trans.commit()
                self.progress(Progress("commit"))
                return
            except BaseException as exc:
                _safe_rollback(trans)
                if isinstance(exc, PlanningFailed):
                    raise
                if self.current is not None:
                    self.progress(Progress("rollback", revision=self.current))
                if is_lock_timeout(exc) and tries <= self.options.retries:
                    delay = self._backoff(tries)
                    self.progress(
                        Progress(
                            "retry",
                            revision=self.current,
                            attempt=tries + 1,
                            elapsed=delay,
                            message=f"lock timeout; retrying the transaction in {delay:.1f}s",
                        )
                    )
                    self.sleep(delay)
                    continue
                raise

    def _backoff(self, tries: int) -> float:
        return backoff_delay(tries, self.options.backoff_base, self.options.backoff_max)

    # -- non-transactional steps --------------------------------------------------------------
    def _autocommit(
        self, plan_step: PlanStep, steps: list[RevisionStep], expected: tuple[str, ...] | None
    ) -> None:
        self.attempts += 1
        self.current = plan_step.revision
        self._drop_invalid_leftovers(plan_step)
        if self.history is not None:
            self.history.journal_write(
                self.run_id, plan_step.revision, plan_step.direction, "started"
            )
        self._step_left_transaction = False
        try:
            self._session_settings(local=False)
            self.conn.commit()
            with _LeftTransaction(self.conn) as watch:
                try:
                    self._run_env(steps, expected, per_migration=True)
                    self._store_reverses()
                finally:
                    self._step_left_transaction = watch.left
            if self.conn.in_transaction():
                self.conn.commit()
        finally:
            if self.conn.in_transaction():
                _safe_rollback(self.conn)
            self._reset_session_settings()
        invalid = self._invalid_indexes(plan_step.concurrent_indexes)
        if invalid:
            raise RuntimeError(f"index {', '.join(invalid)} was left INVALID by a concurrent build")
        if self.history is not None:
            self.history.journal_write(
                self.run_id, plan_step.revision, plan_step.direction, "finished"
            )

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
                    "cleanup",
                    f"dropped INVALID index {qualified}",
                )
        if self.conn.in_transaction():
            self.conn.commit()

    def _invalid_indexes(self, names: Sequence[str]) -> list[str]:
        found = invalid_indexes(self.conn, names)
        if self.conn.in_transaction():
            self.conn.commit()
        return found

    # -- shared ------------------------------------------------------------------------------
    def _run_env(
        self,
        steps: list[RevisionStep],
        expected: tuple[str, ...] | None,
        *,
        per_migration: bool | None,
        plan_first: bool = False,
    ) -> None:
        def migrations(heads: tuple[str, ...], ctx: MigrationContext) -> Iterator[Any]:
            if plan_first:
                yield from self._plan_then_first_segment(heads, ctx)
                return
            if expected is not None and set(heads) != set(expected):
                raise ConcurrentChange(
                    f"the database is at {', '.join(heads) or 'base'}, not at "
                    f"{', '.join(expected) or 'base'} as planned; something else migrated it"
                )
            self._heads_now = tuple(sorted(heads))
            for index, step in enumerate(steps):
                yield from self._one_step(step, first=index == 0)

        def applied(_info: MigrationInfo, heads: frozenset[str]) -> None:
            self._heads_after = tuple(sorted(heads))
            revision = self.current
            if revision is None:
                return
            self._finish_reverse(revision, self._heads_after)
            elapsed = time.monotonic() - self._started.get(revision, time.monotonic())
            self._seconds[revision] = elapsed
            self.progress(Progress("step_done", revision=revision, elapsed=elapsed))

        run_env(
            self.project,
            migrations,
            connection=self.conn,
            transaction_per_migration=per_migration,
            on_step_applied=applied,
        )

    def _plan_then_first_segment(
        self, heads: tuple[str, ...], ctx: MigrationContext
    ) -> Iterator[RevisionStep]:
        """Build the plan from ``heads`` (once), then yield the first segment if it can run here."""
        if self._plan is None:
            assert self.planner is not None
            self.versions = VersionTable(
                self.versions.engine,
                ctx.opts.get("version_table") or "alembic_version",
                ctx.opts.get("version_table_schema"),
            )
            try:
                plan, steps = self.planner(tuple(sorted(heads)), self.versions)
            except BaseException as exc:
                raise PlanningFailed(exc) from exc
            self._plan = plan
            self.steps = {step.revision.revision: step for step in steps}
            if self.reverse is not None:
                self.reverse.set_version_table(self.versions.name, self.versions.schema)
        elif set(heads) != set(self._plan.from_heads):  # a retry after a lock timeout
            raise ConcurrentChange(
                f"the database is at {', '.join(heads) or 'base'}, not at "
                f"{', '.join(self._plan.from_heads) or 'base'} as planned"
            )
        segments = self._plan.segments()
        self._single_segment = len(segments) <= 1
        if not segments or not segments[0][0]:
            # Nothing to do, or the first step needs autocommit: it runs in its own segment.
            self._first_segment_done = not segments
            return
        self._first_segment_done = True
        self._heads_now = tuple(sorted(heads))
        for index, plan_step in enumerate(segments[0][1]):
            yield from self._one_step(self.steps[plan_step.revision], first=index == 0)

    def _one_step(self, step: RevisionStep, *, first: bool) -> Iterator[RevisionStep]:
        """Hand one step to Alembic, recording (and reversing) what it does."""
        self.current = revision = step.revision.revision
        if self.reverse is not None and (first or self._needs_schema_before(revision)):
            # The fingerprint a revert must come back to: taken at the start of each segment,
            # and before a step whose own downgrade() may have to stand in as its reverse.
            self.reverse.take_schema_before(revision, self.conn)
        self._started[revision] = time.monotonic()
        self.progress(Progress("step_start", revision=revision))
        with self.recorder.recording(revision, self.conn if self.reverse else None):
            yield step

    # -- reverse scripts ----------------------------------------------------------------------
    def _coverage(self, revision: str) -> str | None:
        """What stands in for the reverse of an irreversible *revision*, if anything: its
        own downgrade() first (tested as it runs, then what a revert runs for it); the
        run-wide --allow-irreversible/--backup only for what no downgrade() covers."""
        step = next((s for s in self.plan.steps if s.revision == revision), None)
        # A downgrade() that leaves the transaction (autocommit_block(), COMMIT) cannot be
        # tested in a savepoint: its statements would run for real. It covers nothing.
        if step is not None and step.reversible and step.downgrade_in_transaction:
            return DOWNGRADE
        options = self.reverse_options
        if options is not None and options.allow_irreversible:
            return ALLOW
        if options is not None and options.backup:
            return BACKUP
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

    def _verify_alone(self) -> None:
        trans = self.conn.begin()
        try:
            self._verify()
            trans.commit()
        except BaseException:
            _safe_rollback(trans)
            raise


_COMMIT = re.compile(r"^\s*(COMMIT|END)\b", re.IGNORECASE)


class _LeftTransaction:
    """Watches a non-transactional step: did anything of it commit or run outside a
    transaction? If not, its failure rolled back everything it did."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.left = False

    def __enter__(self) -> _LeftTransaction:
        sa.event.listen(self.conn, "commit", self._commit)
        sa.event.listen(self.conn, "before_cursor_execute", self._statement)
        return self

    def __exit__(self, *exc: object) -> None:
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


def _safe_rollback(target: sa.Connection | sa.Transaction) -> None:
    # A broken connection cannot roll back; the server does when the session ends.
    with contextlib.suppress(Exception):
        target.rollback()


def backoff_delay(tries: int, base: float = 0.5, ceiling: float = 10.0) -> float:
    """Seconds to wait before try ``tries + 1`` after a lock timeout: doubling, capped, with
    jitter so that runners that collided do not collide again."""
    delay: float = base * (2 ** (tries - 1))
    return min(delay, ceiling) * (0.75 + random.random() * 0.5)


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
