"""One run's history row and result, as the executor (``runner.execute``) keeps them.

:meth:`RunRecord.start` writes the row once the plan is final (after closing what a dead runner
left open); :meth:`RunRecord.finish` writes what happened, on a new connection when the run's own
was lost (a server restart); :meth:`RunRecord.result` is the :class:`~migsafe.results.RunResult`
the api returns; :meth:`RunRecord.succeeded` settles the run once the database is at its target,
so that a signal from then on is only noted.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from migsafe.engine import history as hist
from migsafe.engine import interrupts
from migsafe.engine.plan import Plan
from migsafe.engine.runs import RunStatus
from migsafe.engine.session import Session
from migsafe.results import RunResult
from migsafe.version import __version__


@dataclass
class RunRecord:
    """The history row of one run, from its start to its finish."""

    session: Session
    run_id: str
    plan: Plan
    started_at: dt.datetime
    reverts: str | None = None
    snapshot_id: str | None = None
    t0: float = field(default_factory=time.monotonic)

    @classmethod
    def start(
        cls,
        session: Session,
        run_id: str,
        plan: Plan,
        *,
        reverts: str | None = None,
        snapshot_id: str | None = None,
    ) -> RunRecord:
        history = session.history
        history.ensure()
        history.close_abandoned(plan.from_heads)
        started = history.start(
            run_id=run_id,
            command=plan.command,
            from_revisions=plan.from_heads,
            target=plan.target,
            guard=plan.guard,
            plan=plan.to_dict(),
            db_user=session.url.username,
            version=__version__,
            reverts_run_id=reverts,
            snapshot_id=snapshot_id,
        )
        return cls(session, run_id, plan, started, reverts, snapshot_id)

    def finish(self, *, status: RunStatus, **values: Any) -> bool:
        """Finish the row; on a new connection when the run's own was lost. False when the
        server cannot be reached: the next run marks the row (``close_abandoned``)."""
        session = self.session
        try:
            session.history.finish(self.run_id, status=status, started_at=self.started_at, **values)
            return True
        except (sa.exc.DBAPIError, sa.exc.PendingRollbackError):
            pass
        fresh = hist.History(session.engine, session.settings.schema)
        for _ in range(2):  # the pool may hand out a connection the restart broke first
            try:
                fresh.finish(self.run_id, status=status, started_at=self.started_at, **values)
                return True
            except sa.exc.DBAPIError:
                continue
        return False

    def result(
        self,
        *,
        status: RunStatus,
        at_heads: tuple[str, ...],
        attempts: int,
        plan: Plan | None = None,
        failed_revision: str | None = None,
        error: str | None = None,
        step_seconds: Mapping[str, float] | None = None,
        cleaned_up: tuple[str, ...] = (),
    ) -> RunResult:
        plan = plan or self.plan
        noop = status == RunStatus.SUCCEEDED and not plan.steps
        return RunResult(
            run_id=self.run_id,
            command=plan.command,
            status=RunStatus.NOOP if noop else status,
            plan=plan,
            at_heads=at_heads,
            duration_s=time.monotonic() - self.t0,
            attempts=attempts,
            failed_revision=failed_revision,
            error=error,
            step_seconds=dict(step_seconds or {}),
            cleaned_up=cleaned_up,
            reverted_run_id=self.reverts,
            snapshot_id=self.snapshot_id,
        )

    def succeeded(self, at_heads: tuple[str, ...]) -> None:
        """The database is at the run's target: the run it reverts is marked, and a signal
        from now on cannot undo the run (it is only noted)."""
        if self.reverts is not None:
            self.session.history.mark_reverted(self.reverts, self.run_id)
        interrupts.settle(
            f"{self.plan.command} run {self.run_id} succeeded, the database is at "
            f"{', '.join(at_heads) or 'base'}"
        )
