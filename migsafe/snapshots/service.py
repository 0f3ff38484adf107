"""Take and restore snapshots for a session: the one place that picks PostgreSQL or SQLite.

The api layer and the pre-backup guard call these; they choose pg_dump or SQLite's backup API,
check tools and disk space before the database is touched, and verify what they wrote.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import sqlalchemy as sa

from migsafe.engine.session import Session
from migsafe.errors import SnapshotCorrupt, SnapshotError, UsageError
from migsafe.snapshots.kept import kept_schemas
from migsafe.snapshots.model import Snapshot, SnapshotMode
from migsafe.snapshots.pgdump import dump
from migsafe.snapshots.pgtools import require_tools
from migsafe.snapshots.restore import restore as pg_restore
from migsafe.snapshots.results import RestoreOutcome
from migsafe.snapshots.sqlite import dump_sqlite, restore_sqlite
from migsafe.snapshots.store import LocalStore, new_snapshot_id, preflight
from migsafe.snapshots.verify import file_checks, verify

ProgressBytes = Callable[[int], None]


def open_store(session_or_path: Session | Path) -> LocalStore:
    if isinstance(session_or_path, Path):
        return LocalStore(session_or_path)
    return LocalStore(session_or_path.settings.snapshots_path)


def _url(session: Session) -> str:
    return session.url.render_as_string(hide_password=False)


def server_version_num(session: Session) -> int:
    with session.aux() as conn:
        return int(conn.exec_driver_sql("SHOW server_version_num").scalar_one())


def estimate_bytes(session: Session, mode: SnapshotMode, tables: Sequence[str]) -> int | None:
    """Roughly what the snapshot file needs: the on-disk size, which compression only shrinks."""
    if session.is_sqlite:
        database = session.url.database
        return Path(database).stat().st_size if database and Path(database).exists() else None
    with session.aux() as conn:
        if mode == SnapshotMode.FULL:
            size = conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar()
        else:
            size = conn.execute(
                sa.text(
                    "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname || '.' || c.relname = ANY(:t)"
                ),
                {"t": list(tables)},
            ).scalar()
    return int(size) if size is not None else None


def take(
    session: Session,
    *,
    mode: str = SnapshotMode.FULL,
    tables: Sequence[str] = (),
    created: Sequence[str] = (),
    run_id: str | None = None,
    progress: ProgressBytes | None = None,
) -> Snapshot:
    """Snapshot the database (or ``tables``), verify it, and return the registered entry.

    Everything that can fail early (tools, directory, space) is checked before the database
    is read; a failure never registers anything.
    """
    if mode not in (SnapshotMode.FULL, SnapshotMode.TABLES):
        raise UsageError(
            f"snapshot mode must be {SnapshotMode.FULL.value!r} or "
            f"{SnapshotMode.TABLES.value!r}, not {mode!r}"
        )
    kind = SnapshotMode(mode)
    if kind == SnapshotMode.TABLES and not tables:
        raise UsageError("a tables snapshot needs at least one --table")
    store = open_store(session)
    snapshot_id = new_snapshot_id()
    url = _url(session)
    if session.is_sqlite:
        if kind == SnapshotMode.TABLES:
            raise UsageError(
                "SQLite snapshots are of the whole database file; there is no tables mode"
            )
        preflight(store, estimate_bytes(session, SnapshotMode.FULL, ()))
        snap = dump_sqlite(
            url,
            store,
            snapshot_id=snapshot_id,
            run_id=run_id,
            revisions=session.heads,
            progress=progress,
        )
    else:
        require_tools(server_version_num(session))
        preflight(store, estimate_bytes(session, kind, tables))
        snap = dump(
            url,
            store,
            tables=tuple(tables) if kind == SnapshotMode.TABLES else None,
            snapshot_id=snapshot_id,
            run_id=run_id,
            revisions=session.heads,
            compression=session.settings.snapshot_compression,
            # migsafe's own schemas (history, flags, archive) are never in a snapshot: a
            # restore keeps them as they are (see snapshots/kept.py).
            exclude_schemas=kept_schemas(session.settings),
            progress=progress,
        )
    if created and kind == SnapshotMode.TABLES:
        snap = replace(snap, created=tuple(created))
        store.update(snap)
    checked = verify(store, snap)
    if not checked.ok:
        failed = next(c for c in checked.checks if not c.ok)
        raise SnapshotCorrupt(
            f"snapshot {snap.id} failed its check right after it was written: "
            f"{failed.name}: {failed.detail}",
            hint="check the disk the snapshot directory is on",
        )
    return checked.snapshot


def restore(
    session: Session,
    snap: Snapshot,
    *,
    into: str | None = None,
    force: bool = False,
    drop_also: Sequence[str] = (),
    wait_for_others: bool = False,
) -> RestoreOutcome:
    """Put the snapshot back (in place, or into a new database); all or nothing.

    A file that no longer matches its checksum is refused unless ``force``. The outcome is
    at the snapshot's revisions, without a run (the caller that records one says so).
    """
    store = open_store(session)
    path = store.local_path(snap)
    bad = [c for c in file_checks(path, snap) if not c.ok]
    if bad and session.is_sqlite:
        raise SnapshotCorrupt(
            f"snapshot {snap.id} does not match its recorded checksum ({bad[0].detail}); a "
            "SQLite snapshot is restored as a whole file and cannot be restored damaged",
            hint="restore another snapshot (`migsafe snapshot list`)",
        )
    if bad and not force:
        raise SnapshotCorrupt(
            f"snapshot {snap.id} does not match its recorded checksum ({bad[0].detail}); "
            "refusing to restore it",
            hint="`migsafe snapshot verify` tells more; --force restores it anyway",
        )
    if session.is_sqlite:
        if into is not None:
            raise UsageError("--into is for PostgreSQL; copy the SQLite snapshot file instead")
        if session.conn.in_transaction():
            session.conn.rollback()  # the restore needs the file to itself
        t0 = time.monotonic()
        done = restore_sqlite(store, snap, _url(session))
        _supersede_reverses(session, snap)
        return RestoreOutcome(
            snapshot=snap,
            into=None,
            at_revisions=snap.revisions,
            duration_s=time.monotonic() - t0,
            run_id=None,
            kept=done.kept_tables,
        )
    if snap.backend != "postgresql":
        raise SnapshotError(f"snapshot {snap.id} is a {snap.backend} snapshot")
    result = pg_restore(
        _url(session),
        path,
        mode=snap.mode,
        tables=snap.tables,
        drop_also=tuple(drop_also) or snap.created,
        into=into,
        force=force,
        keep_schemas=kept_schemas(session.settings),
        kept_triggers=snap.kept_triggers,
        exclude_pids=_own_pids(session),
        wait_for_others=wait_for_others,
    )
    if into is None:
        _supersede_reverses(session, snap)
    return RestoreOutcome(
        snapshot=snap,
        into=into,
        at_revisions=snap.revisions,
        duration_s=result.duration,
        run_id=None,
        kept=result.kept_schemas if into is None else snap.kept_schemas,
        recreated_triggers=result.recreated_triggers,
        dropped_triggers=result.dropped_triggers,
    )


def _supersede_reverses(session: Session, snap: Snapshot) -> None:
    """Reverse scripts stored after the snapshot undo changes the restore just undid."""
    from migsafe.reverse import store as reverse_store

    since = dt.datetime.fromisoformat(snap.created_at)
    if since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    with session.aux() as conn:
        if conn.dialect.name == "sqlite":
            since = since.replace(tzinfo=None)  # stored naive, in UTC
        reverse_store.mark_superseded(conn, session.history.schema, since, f"restore:{snap.id}")


def _own_pids(session: Session) -> list[int]:
    pids = []
    for conn in session.connections():
        if conn is not None:
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
            if conn.in_transaction():
                conn.rollback()
            pids.append(int(pid))
    return pids
