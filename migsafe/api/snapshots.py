"""The snapshot commands: list, show, create, verify, restore, prune.

Creating and restoring in place change the database: they run under the runner lock and are
recorded in the history, like a migration. :mod:`migsafe.snapshots` does the work itself and
knows nothing of either. Engine modules are imported inside the functions, for start-up speed
(see :mod:`migsafe.api`).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from migsafe.api._common import not_blank, privileges_named
from migsafe.engine import interrupts
from migsafe.engine.runs import RunStatus
from migsafe.errors import ConfirmationRequired, MigsafeError, RestoreRefused, SnapshotError
from migsafe.settings import Settings
from migsafe.version import __version__

if TYPE_CHECKING:
    from migsafe.engine.lock import LockWaitFn
    from migsafe.engine.session import Session
    from migsafe.snapshots.model import Snapshot
    from migsafe.snapshots.results import (
        PruneOutcome,
        RestoreOutcome,
        SnapshotList,
        VerifyOutcome,
    )
    from migsafe.snapshots.store import LocalStore


@privileges_named
def snapshot_list(settings: Settings) -> SnapshotList:
    """List the snapshots in the store, newest first."""
    from migsafe.snapshots.results import SnapshotList

    store = _store(settings)
    return SnapshotList(
        store=str(store.root), snapshots=tuple(store.list()), leftovers=store.leftovers()
    )


@privileges_named
def snapshot_show(settings: Settings, snapshot_id: str) -> Snapshot:
    """Show one snapshot's catalog entry."""
    return _store(settings).get(snapshot_id)


@privileges_named
def snapshot_create(
    settings: Settings,
    *,
    mode: str = "full",
    tables: tuple[str, ...] = (),
    progress: Callable[[int], None] | None = None,
    on_lock_wait: LockWaitFn | None = None,
) -> Snapshot:
    """Take a snapshot now (pg_dump, or SQLite's backup API), verify it and register it."""
    from migsafe.engine import runner
    from migsafe.snapshots import service

    run_id, session = runner.open_run(settings, dry_run=False)
    try:
        with runner.lock(session, run_id, on_lock_wait):
            session.reprobe()
            session.history.ensure()
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


@privileges_named
def snapshot_verify(
    settings: Settings, snapshot_id: str, *, restore: bool = False
) -> VerifyOutcome:
    """Check a snapshot's checksum and contents; with restore, also restore and compare."""
    from migsafe.engine.session import open_session
    from migsafe.snapshots.verify import verify

    store = _store(settings)
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


@privileges_named
def snapshot_restore(
    settings: Settings,
    snapshot_id: str,
    *,
    into: str | None = None,
    yes: bool = False,
    force: bool = False,
    confirm: Callable[[str], bool] | None = None,
    on_lock_wait: LockWaitFn | None = None,
    allow_other_database: bool = False,
) -> RestoreOutcome:
    """Restore a snapshot in place (writes made after it are lost) or --into a new database."""
    not_blank(into, "--into", hint="name the new database to restore into")
    return restore_recorded(
        settings,
        snapshot_id,
        into=into,
        yes=yes,
        force=force,
        confirm=confirm,
        on_lock_wait=on_lock_wait,
        allow_other_database=allow_other_database,
    )


def restore_recorded(
    settings: Settings,
    snapshot_id: str,
    *,
    into: str | None,
    yes: bool,
    force: bool,
    confirm: Callable[[str], bool] | None,
    command: str = "restore",
    on_lock_wait: LockWaitFn | None = None,
    allow_other_database: bool = False,
) -> RestoreOutcome:
    """Restore in place (under the runner lock, recorded as *command*) or into a new database;
    ``snapshot restore`` and ``revert --snapshot`` share it.

    In place, the target must be the database the snapshot was taken of (see
    :mod:`~migsafe.snapshots.identity`) unless *allow_other_database*: refused before the
    prompt, the lock and the history row, so nothing changes.
    """
    from migsafe.engine import backup, runner
    from migsafe.snapshots import identity
    from migsafe.snapshots.model import SnapshotMode

    store = _store(settings)
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
                    done = backup.restore(session, snap, into=into, force=force)
                took = time.monotonic() - t0
                return replace(done, duration_s=took, source=source.describe())
            session.history.ensure()
            started = _start(session, run_id, command, snap.id, snapshot=snap)
            try:
                with interrupts.during(f"restoring snapshot {snap.id}"):
                    done = backup.restore(session, snap, force=force)
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


@privileges_named
def snapshot_prune(
    settings: Settings,
    *,
    keep: int | None = None,
    max_age_s: float | None = None,
    dry_run: bool = False,
) -> PruneOutcome:
    """Delete old snapshots; never the newest verified one of each database."""
    if keep is None and max_age_s is None:
        raise SnapshotError(
            "say what to prune: --keep N and/or --max-age AGE", hint="e.g. --keep 10 --max-age 30d"
        )
    from migsafe.snapshots.prune import plan_prune, prune
    from migsafe.snapshots.results import PruneOutcome

    store = _store(settings)
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


def _store(settings: Settings) -> LocalStore:
    from migsafe.snapshots.store import LocalStore

    return LocalStore(settings.snapshots_path)


def _start(
    session: Session, run_id: str, command: str, target: str, snapshot: Snapshot | None = None
) -> dt.datetime:
    """The history row of a snapshot command, written before it changes anything."""
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
