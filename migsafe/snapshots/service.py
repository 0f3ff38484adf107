"""Take and restore snapshots of a database: the one place that picks PostgreSQL or SQLite.

The engine calls these with its session (a :class:`~migsafe.snapshots.database.Database`);
they choose pg_dump or SQLite's backup API, check tools and disk space before the database is
touched, and verify what they wrote. The runner lock, the history and the reverse scripts a
restore supersedes are the caller's (see :mod:`migsafe.engine.backup`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from pathlib import Path

import sqlalchemy as sa

from migsafe.errors import SnapshotCorrupt, SnapshotError, UsageError
from migsafe.snapshots.checks import file_checks
from migsafe.snapshots.database import Database
from migsafe.snapshots.kept import kept_schemas
from migsafe.snapshots.model import Snapshot, SnapshotMode
from migsafe.snapshots.pgdump import dump
from migsafe.snapshots.pgtools import require_tools
from migsafe.snapshots.restore import restore as pg_restore
from migsafe.snapshots.results import RestoreOutcome
from migsafe.snapshots.sqlite import dump_sqlite, restore_sqlite
from migsafe.snapshots.store import LocalStore, new_snapshot_id, preflight
from migsafe.snapshots.verify import verify

ProgressBytes = Callable[[int], None]


def open_store(db_or_path: Database | Path) -> LocalStore:
    if isinstance(db_or_path, Path):
        return LocalStore(db_or_path)
    return LocalStore(db_or_path.settings.snapshots_path)


def _url(db: Database) -> str:
    return db.url.render_as_string(hide_password=False)


def server_version_num(db: Database) -> int:
    with db.aux() as conn:
        return int(conn.exec_driver_sql("SHOW server_version_num").scalar_one())


def estimate_bytes(db: Database, mode: SnapshotMode, tables: Sequence[str]) -> int | None:
    """Roughly what the snapshot file needs: the on-disk size, which compression only shrinks."""
    if db.is_sqlite:
        database = db.url.database
        return Path(database).stat().st_size if database and Path(database).exists() else None
    with db.aux() as conn:
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
    db: Database,
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
    store = open_store(db)
    snapshot_id = new_snapshot_id()
    url = _url(db)
    if db.is_sqlite:
        if kind == SnapshotMode.TABLES:
            raise UsageError(
                "SQLite snapshots are of the whole database file; there is no tables mode"
            )
        preflight(store, estimate_bytes(db, SnapshotMode.FULL, ()))
        snap = dump_sqlite(
            url,
            store,
            snapshot_id=snapshot_id,
            run_id=run_id,
            revisions=db.heads,
            progress=progress,
        )
    else:
        require_tools(server_version_num(db))
        preflight(store, estimate_bytes(db, kind, tables))
        snap = dump(
            url,
            store,
            tables=tuple(tables) if kind == SnapshotMode.TABLES else None,
            snapshot_id=snapshot_id,
            run_id=run_id,
            revisions=db.heads,
            compression=db.settings.snapshot_compression,
            # migsafe's own schemas (history, flags, archive) are never in a snapshot: a
            # restore keeps them as they are (see snapshots/kept.py).
            exclude_schemas=kept_schemas(db.settings),
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
    db: Database,
    snap: Snapshot,
    *,
    own_tables: Collection[str],
    into: str | None = None,
    force: bool = False,
    drop_also: Sequence[str] = (),
    wait_for_others: bool = False,
) -> RestoreOutcome:
    """Put the snapshot back (in place, or into a new database); all or nothing.

    A file that no longer matches its checksum is refused unless ``force``. The outcome is
    at the snapshot's revisions, without a run (the caller that records one says so). SQLite
    keeps *own_tables* (migsafe's history, journal, reverses) as they are; PostgreSQL keeps
    the schemas :func:`~migsafe.snapshots.kept.kept_schemas` names. The reverse scripts stored
    since the snapshot are the caller's to mark superseded.
    """
    store = open_store(db)
    path = store.local_path(snap)
    bad = [c for c in file_checks(path, snap) if not c.ok]
    if bad and db.is_sqlite:
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
    if db.is_sqlite:
        if into is not None:
            raise UsageError("--into is for PostgreSQL; copy the SQLite snapshot file instead")
        if db.conn.in_transaction():
            db.conn.rollback()  # the restore needs the file to itself
        t0 = time.monotonic()
        done = restore_sqlite(store, snap, _url(db), kept_tables=own_tables)
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
        _url(db),
        path,
        mode=snap.mode,
        tables=snap.tables,
        drop_also=tuple(drop_also) or snap.created,
        into=into,
        force=force,
        keep_schemas=kept_schemas(db.settings),
        kept_triggers=snap.kept_triggers,
        exclude_pids=_own_pids(db),
        wait_for_others=wait_for_others,
    )
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


def _own_pids(db: Database) -> list[int]:
    pids = []
    for conn in db.connections():
        if conn is not None:
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
            if conn.in_transaction():
                conn.rollback()
            pids.append(int(pid))
    return pids
