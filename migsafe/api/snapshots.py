"""The snapshot commands: list, show, create, verify, restore, prune."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from migsafe.api._common import not_blank, privileges_named
from migsafe.settings import Settings

if TYPE_CHECKING:
    from migsafe.engine.lock import LockWaitFn
    from migsafe.snapshots.model import Snapshot
    from migsafe.snapshots.results import (
        PruneOutcome,
        RestoreOutcome,
        SnapshotList,
        VerifyOutcome,
    )


@privileges_named
def snapshot_list(settings: Settings) -> SnapshotList:
    """List the snapshots in the store, newest first."""
    from migsafe.snapshots.operations import list_snapshots

    return list_snapshots(settings)


@privileges_named
def snapshot_show(settings: Settings, snapshot_id: str) -> Snapshot:
    """Show one snapshot's catalog entry."""
    from migsafe.snapshots.operations import store_of

    return store_of(settings).get(snapshot_id)


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
    from migsafe.snapshots.operations import create

    return create(settings, mode=mode, tables=tables, progress=progress, on_lock_wait=on_lock_wait)


@privileges_named
def snapshot_verify(
    settings: Settings, snapshot_id: str, *, restore: bool = False
) -> VerifyOutcome:
    """Check a snapshot's checksum and contents; with restore, also restore and compare."""
    from migsafe.snapshots.operations import verify_snapshot

    return verify_snapshot(settings, snapshot_id, restore=restore)


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
    from migsafe.snapshots.operations import restore_snapshot

    return restore_snapshot(
        settings,
        snapshot_id,
        into=into,
        yes=yes,
        force=force,
        confirm=confirm,
        on_lock_wait=on_lock_wait,
        allow_other_database=allow_other_database,
    )


@privileges_named
def snapshot_prune(
    settings: Settings,
    *,
    keep: int | None = None,
    max_age_s: float | None = None,
    dry_run: bool = False,
) -> PruneOutcome:
    """Delete old snapshots; never the newest verified one of each database."""
    from migsafe.snapshots.operations import prune_snapshots

    return prune_snapshots(settings, keep=keep, max_age_s=max_age_s, dry_run=dry_run)
