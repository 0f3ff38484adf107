"""What the snapshot commands do, each under the runner lock and recorded in the history."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from migsafe import __version__
from migsafe.engine import interrupts, runner
from migsafe.engine.lock import LockWaitFn
from migsafe.engine.plan import Plan
from migsafe.engine.runs import RunStatus
from migsafe.engine.session import Session, open_session
from migsafe.errors import ConfirmationRequired, MigsafeError, RestoreRefused, SnapshotError
from migsafe.settings import Settings
from migsafe.snapshots import identity, service
from migsafe.snapshots.model import Snapshot, SnapshotMode
from migsafe.snapshots.prune import plan_prune, prune
from migsafe.snapshots.results import PruneOutcome, RestoreOutcome, SnapshotList, VerifyOutcome
from migsafe.snapshots.store import LocalStore
from migsafe.snapshots.verify import verify

ConfirmText = Callable[[str], bool]


def store_of(settings: Settings) -> LocalStore:
    return service.open_store(settings.snapshots_path)


def list_snapshots(settings: Settings) -> SnapshotList:
    store = store_of(settings)
    return SnapshotList(
        store=str(store.root), snapshots=tuple(store.list()), leftovers=store.leftovers()
    )


def create(
    settings: Settings,
    *,
    mode: str,
    tables: Sequence[str],
    progress: service.ProgressBytes | None,
    on_lock_wait: LockWaitFn | None = None,
) -> Snapshot:
    run_id, session = runner.open_run(settings, dry_run=False)
    try:
        with runner.lock(session, run_id, on_lock_wait):
            session.reprobe()
            history = session.history
            history.ensure()
            started = _start(session, run_id, "snapshot", f"{mode} snapshot")
            try:
                snap = service.take(
                    session, mode=mode, tables=tables, run_id=run_id, progress=progress
                )
            except BaseException as exc:
                _finish(session, run_id, started, RunStatus.ROLLED_BACK, error=exc)
                raise
            _finish(session, run_id, started, RunStatus.SUCCEEDED, snapshot=snap)
            return snap
    finally:
        session.close()


def verify_snapshot(settings: Settings, snapshot_id: str, *, restore: bool) -> VerifyOutcome:
    store = store_of(settings)
    snap = store.get(snapshot_id)
    admin_url = None
    if restore and snap.backend == "postgresql":
        # The scratch database is created on the same server, as the configured user.
        session = open_session(settings, probe_now=False, read_only=True)
        try:
            admin_url = session.url.render_as_string(hide_password=False)
        finally:
            session.close()
    return verify(store, snap, restore=restore, admin_url=admin_url)


def restore_snapshot(
    settings: Settings,
    snapshot_id: str,
    *,
    into: str | None,
    yes: bool,
    force: bool,
    confirm: ConfirmText | None,
    command: str = "restore",
    on_lock_wait: LockWaitFn | None = None,
    allow_other_database: bool = False,
) -> RestoreOutcome:
    """Restore in place (under the runner lock, recorded) or into a new database.

    In place, the target must be the database the snapshot was taken of (see
    :mod:`~migsafe.snapshots.identity`) unless *allow_other_database*: refused before the
    prompt, the lock and the history row, so nothing changes.
    """
    store = store_of(settings)
    snap = store.get(snapshot_id)
    run_id, session = runner.open_run(settings, dry_run=False)
    try:
        source = identity.of_snapshot(snap)
        with session.aux() as conn:
            target = identity.of_connection(conn, session.url)
        other = not identity.same_database(source, target)
        if into is None and other and not allow_other_database:
            raise RestoreRefused(
                f"snapshot {snap.id} was taken of {source.describe()}, not of "
                f"{target.describe()} ({target.url}); nothing was changed",
                hint="point the URL at the database it was taken of; to replace this one's "
                f"data with it anyway: `migsafe snapshot restore {snap.id} "
                "--allow-other-database`; for a copy: --into NEW",
            )
        if into is None and not yes:
            also = " (another database: --allow-other-database)" if other else ""
            tables_only = snap.mode == SnapshotMode.TABLES
            message = (
                f"Restoring snapshot {snap.id} ({snap.mode}, taken {snap.created_at} of "
                f"{source.describe()} at {', '.join(snap.revisions) or 'base'}) replaces "
                f"{'those tables' if tables_only else 'the whole database'} in "
                f"{target.describe()}{also} ({session.database}); every write made since then "
                f"to {'them' if tables_only else 'it'} is lost. Flags, their audit "
                "and migsafe's history are left as they are."
            )
            if confirm is None:
                raise ConfirmationRequired(
                    f"restoring snapshot {snap.id} needs confirmation", hint="pass --yes"
                )
            if not confirm(message):
                raise ConfirmationRequired("restore cancelled; nothing changed")
        with runner.lock(session, run_id, on_lock_wait):
            session.reprobe()
            before = session.heads
            if into is not None:
                t0 = time.monotonic()
                with interrupts.during(f"restoring snapshot {snap.id} into {into!r}"):
                    done = service.restore(session, snap, into=into, force=force)
                took = time.monotonic() - t0
                return replace(done, duration_s=took, source=source.describe())
            session.history.ensure()
            started = _start(session, run_id, command, snap.id, snapshot=snap)
            try:
                with interrupts.during(f"restoring snapshot {snap.id}"):
                    done = service.restore(session, snap, force=force)
                interrupts.settle(f"snapshot {snap.id} was restored")
            except BaseException as exc:
                _finish(session, run_id, started, RunStatus.ROLLED_BACK, error=exc, at=before)
                raise
            at = session.versions.read_fresh()
            _finish(session, run_id, started, RunStatus.SUCCEEDED, snapshot=snap, at=at)
            return replace(
                done,
                at_revisions=at,
                run_id=run_id,
                source=source.describe(),
                other_database=target.describe() if other else None,
            )
    finally:
        session.close()


def prune_snapshots(
    settings: Settings, *, keep: int | None, max_age_s: float | None, dry_run: bool
) -> PruneOutcome:
    if keep is None and max_age_s is None:
        raise SnapshotError(
            "say what to prune: --keep N and/or --max-age AGE", hint="e.g. --keep 10 --max-age 30d"
        )
    store = store_of(settings)
    plan = plan_prune(
        store.list(),
        keep=keep,
        max_age=dt.timedelta(seconds=max_age_s) if max_age_s is not None else None,
        now=dt.datetime.now(dt.UTC),
    )
    freed = sum(s.size for s in plan.delete)
    if not dry_run:
        prune(store, plan)
    leftovers = store.remove_leftovers(dry_run=dry_run)
    return PruneOutcome(plan=plan, dry_run=dry_run, freed_bytes=freed, leftovers=leftovers)


def describe_backup(
    session: Session, plan: Plan, steps: Sequence[object], *, mode: SnapshotMode
) -> Plan:
    """What ``--backup`` would snapshot, as plan notes (for --dry-run; nothing is taken)."""
    if not plan.steps:
        return plan
    if mode == SnapshotMode.TABLES:
        from migsafe.snapshots.tables import tables_for_plan

        decision = tables_for_plan(session, plan, steps)  # type: ignore[arg-type]
        if decision.mode == SnapshotMode.TABLES:
            notes = [f"would snapshot {len(decision.tables)} tables: {', '.join(decision.tables)}"]
            if decision.created:
                notes.append(
                    f"a restore would drop what the run creates: {', '.join(decision.created)}"
                )
            notes.extend(decision.reasons)
        else:
            notes = ["would snapshot the whole database: " + "; ".join(decision.reasons)]
    else:
        size = service.estimate_bytes(session, SnapshotMode.FULL, ())
        notes = [
            "would snapshot the whole database"
            + (f" (about {_mb(size)} before compression)" if size else "")
        ]
    return replace(plan, notes=(*plan.notes, *notes))


def backup_for(
    session: Session,
    plan: Plan,
    steps: Sequence[object],
    *,
    mode: SnapshotMode,
    run_id: str,
    progress: service.ProgressBytes | None,
) -> tuple[Plan, runner.Backup | None, SnapshotMode]:
    """Take the snapshot a ``--backup`` upgrade starts with; the plan notes what it holds."""
    if not plan.steps:
        return plan, None, mode
    tables: tuple[str, ...] = ()
    created: tuple[str, ...] = ()
    notes: list[str] = []
    if mode == SnapshotMode.TABLES:
        from migsafe.snapshots.tables import tables_for_plan

        decision = tables_for_plan(session, plan, steps)  # type: ignore[arg-type]
        if decision.mode == SnapshotMode.TABLES:
            tables, created = decision.tables, decision.created
            notes.append(f"snapshot of {len(tables)} tables: {', '.join(tables)}")
            notes.extend(decision.reasons)
        else:
            mode = SnapshotMode.FULL
            notes.append(
                "snapshot falls back to the whole database: " + "; ".join(decision.reasons)
            )
    snap = service.take(
        session, mode=mode, tables=tables, created=created, run_id=run_id, progress=progress
    )
    notes.append(f"snapshot {snap.id} ({snap.mode}, {snap.size} bytes) taken and verified")
    return (
        replace(plan, notes=(*plan.notes, *notes)),
        runner.Backup(snapshot=snap, created=tuple(created)),
        mode,
    )


def _start(
    session: Session, run_id: str, command: str, target: str, snapshot: Snapshot | None = None
) -> dt.datetime:
    return session.history.start(
        run_id=run_id,
        command=command,
        from_revisions=session.heads,
        target=target,
        guard="snapshot",
        plan={"command": command, "target": target, "database": session.database},
        db_user=session.url.username,
        version=__version__,
        snapshot_id=snapshot.id if snapshot else None,
    )


def _finish(
    session: Session,
    run_id: str,
    started: dt.datetime,
    status: RunStatus,
    *,
    snapshot: Snapshot | None = None,
    error: BaseException | None = None,
    at: tuple[str, ...] | None = None,
) -> None:
    message = None
    if error is not None:
        message = error.message if isinstance(error, MigsafeError) else f"{type(error).__name__}"
        if isinstance(error, KeyboardInterrupt):
            message = f"interrupted by {interrupts.received() or 'SIGINT'}"
    session.history.finish(
        run_id,
        status=status,
        started_at=started,
        to_revisions=at if status == RunStatus.SUCCEEDED else None,
        at_revisions=at if at is not None else session.heads,
        error=session.scrub(message) if message else None,
        snapshot_id=snapshot.id if snapshot else None,
    )


def _mb(n: int) -> str:
    return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{max(n // 1024, 1)} kB"
