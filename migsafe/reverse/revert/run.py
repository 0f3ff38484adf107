"""Running a revert chosen from the stored rows: one guarded transaction for all of it.

For each revision, newest first: the fills of the rows written since it dropped a column go
into the archive (:mod:`migsafe.reverse.revert.fill`); then its stored reverse SQL runs, or its
own ``downgrade()`` followed by putting back what the upgrade kept
(:mod:`migsafe.reverse.restore_kept`). Then the version table is set to the heads before, the
schema must equal the one recorded before the upgrade (:mod:`migsafe.reverse.revert.check`),
the ``--verify`` checks run, the rows are marked reverted, and it commits. Anything failing
rolls all of it back; a lock timeout retries the whole transaction.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator

import sqlalchemy as sa

from migsafe.engine import interrupts
from migsafe.engine.events import Progress, ProgressFn
from migsafe.engine.failures import describe_error
from migsafe.engine.guard import ConcurrentChange, set_timeouts
from migsafe.engine.plan import Plan
from migsafe.engine.retry import retry_after_lock_timeout
from migsafe.engine.run_record import RunRecord
from migsafe.engine.runs import RunStatus
from migsafe.engine.session import Session
from migsafe.engine.verify import run_checks
from migsafe.errors import KeptDataLost, MigrationFailed, ReverseMismatch
from migsafe.results import RunResult
from migsafe.reverse import store
from migsafe.reverse._sql import run_verbatim
from migsafe.reverse.restore_kept import describe, restore_after_downgrade
from migsafe.reverse.revert.check import check_schema
from migsafe.reverse.revert.fill import prefill
from migsafe.reverse.revert.stored import StoredRevert, Undo, own_downgrade
from migsafe.reverse.store import ReverseSource


def run(
    session: Session,
    plan: Plan,
    chosen: StoredRevert,
    run_id: str,
    progress: ProgressFn | None,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> RunResult:
    """Run the revert in one guarded transaction; raise if that fails."""
    report = progress or (lambda _event: None)
    record = RunRecord.start(session, run_id, plan, reverts=chosen.reverts_run_id)
    attempts = 0
    current: list[str] = []
    seconds: dict[str, float] = {}
    error: BaseException | None = None
    while True:
        attempts += 1
        try:
            with _sqlite_foreign_keys_off(session.conn):
                _in_transaction(
                    session.conn, session, plan, chosen, run_id, report, current, seconds
                )
            break
        except BaseException as exc:
            if retry_after_lock_timeout(exc, attempts, plan.retries, progress=report, sleep=sleep):
                continue
            error = exc
            break
    # After a commit the heads are the plan's; after a failure, read them beside the (possibly
    # broken) migration connection.
    at = chosen.to_heads if error is None else session.versions.read_fresh()
    status = RunStatus.SUCCEEDED if error is None else RunStatus.ROLLED_BACK
    text = describe_error(error, session) if error is not None else None
    failed_revision = current[-1] if error is not None and current else None
    record.finish(
        status=status,
        to_revisions=at if error is None else None,
        at_revisions=at,
        failed_revision=failed_revision,
        error=text,
        attempts=attempts,
    )
    result = record.result(
        status=status,
        at_heads=at,
        attempts=attempts,
        failed_revision=failed_revision,
        error=text,
        step_seconds=seconds,
    )
    if error is None:
        record.succeeded(at)
        return result
    at_text = ", ".join(at) or "base"
    if isinstance(error, ReverseMismatch):
        error.message = f"{error.message}; rolled back, the database is at {at_text} (run {run_id})"
        raise error
    if isinstance(error, KeptDataLost):
        error.message = f"{error.message}; rolled back, nothing changed (run {run_id})"
        raise error
    where = f" at revision {failed_revision}" if failed_revision else ""
    failed = MigrationFailed(
        f"revert failed{where}: {text}; rolled back, the database is at {at_text} as before "
        f"(run {run_id})",
        hint="the revert was interrupted before it committed; run it again when ready"
        if isinstance(error, KeyboardInterrupt)
        else "`migsafe reverse show REV` prints the reverse SQL; --use-downgrade or "
        "--from-snapshot are the other ways back",
        run_id=run_id,
        revision=failed_revision,
        at_revisions=at,
    )
    failed.result = result
    raise failed from error


@contextlib.contextmanager
def _sqlite_foreign_keys_off(conn: sa.Connection) -> Iterator[None]:
    """SQLite reverses rename and rebuild tables: with ``foreign_keys`` on, a rename would
    rewrite other tables' references and a DROP would cascade. The setting only changes
    outside a transaction, so it is switched on the driver's connection, and back after."""
    if conn.dialect.name != "sqlite" or conn.in_transaction():
        yield
        return
    raw = conn.connection.driver_connection
    assert raw is not None
    on = bool(raw.execute("PRAGMA foreign_keys").fetchone()[0])
    if on:
        raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        if on and not conn.in_transaction():
            raw.execute("PRAGMA foreign_keys = ON")


def _in_transaction(
    conn: sa.Connection,
    session: Session,
    plan: Plan,
    chosen: StoredRevert,
    run_id: str,
    report: ProgressFn,
    current: list[str],
    seconds: dict[str, float],
) -> None:
    trans = conn.begin()
    try:
        set_timeouts(conn, plan.lock_timeout, plan.statement_timeout, local=True)
        heads = session.versions.read(conn)
        if set(heads) != set(plan.from_heads):
            raise ConcurrentChange(
                f"the database is at {', '.join(heads) or 'base'}, not at "
                f"{', '.join(plan.from_heads) or 'base'} as planned; something else migrated it"
            )
        for undo in chosen.undo:
            current.append(undo.row.revision)
            report(Progress("step_start", revision=undo.row.revision))
            t = time.monotonic()
            _undo_one(conn, session, undo)
            seconds[undo.row.revision] = time.monotonic() - t
            report(
                Progress(
                    "step_done", revision=undo.row.revision, elapsed=seconds[undo.row.revision]
                )
            )
        session.versions.write(conn, chosen.to_heads)
        check_schema(conn, session, chosen)
        if plan.verify:
            run_checks(conn, plan.verify, report)
        store.mark_reverted(
            conn, session.history.schema, [r.id for r in chosen.rows if r.id is not None], run_id
        )
        # A signal during the COMMIT waits for it; after it, the revert is done.
        with interrupts.shielded():
            trans.commit()
            interrupts.settle()
        report(Progress("commit"))
    except BaseException:
        with contextlib.suppress(Exception):
            trans.rollback()
        if current:
            report(Progress("rollback", revision=current[-1]))
        raise


def _undo_one(conn: sa.Connection, session: Session, undo: Undo) -> None:
    for fill in undo.fills:
        prefill(conn, fill)
    if undo.way != ReverseSource.DOWNGRADE:
        for statement in undo.row.sql:
            run_verbatim(conn, statement)
        return
    _run_downgrade(conn, session, undo.row.revision)
    lost = []
    for archive in undo.restores:
        missing = restore_after_downgrade(conn, archive)
        if missing is not None:
            lost.append(f"{describe(archive)} ({missing})")
    if lost:
        raise KeptDataLost(
            f"{undo.row.revision}'s downgrade() does not bring back what migsafe kept when it "
            f"was applied: {'; '.join(lost)}; that data would be lost",
            hint="revert with its stored reverse (without --use-downgrade), fix downgrade(), "
            "or go back with --from-snapshot",
        )


def _run_downgrade(conn: sa.Connection, session: Session, revision: str) -> None:
    """Run *revision*'s downgrade() on *conn*, inside the revert's transaction, through an
    ``alembic.op`` bound to it (the version table is set by the revert, not here)."""
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    downgrade = own_downgrade(session, revision)
    assert callable(downgrade), "checked when the revert was chosen"
    context = MigrationContext.configure(connection=conn)
    with Operations.context(context):
        downgrade()
