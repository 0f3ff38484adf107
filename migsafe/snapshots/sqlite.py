"""SQLite snapshots: a copy of the database file through SQLite's online backup API.

Copying the file with ``cp`` could catch a half-written transaction, or miss what still sits
in the WAL; the backup API copies a consistent database, page by page, while others keep
using it. What the catalog records is computed on the copy itself, so it describes exactly
what was stored. Restoring goes through the same API the other way, under an exclusive lock,
and keeps the live database's migsafe tables as they are (history, journal, stored reverses,
and the ``migsafe_archive__*`` tables reverse scripts keep data in): the restore itself is
history, and what migsafe keeps is never rolled back (see :mod:`~migsafe.snapshots.kept`).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy import text
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.pool import StaticPool

from migsafe.db.connection import parse_url, redact
from migsafe.db.dberrors import sqlite_code
from migsafe.db.fingerprint import Fingerprint, fingerprint
from migsafe.errors import (
    MigrationNotRestored,
    SnapshotCorrupt,
    SnapshotError,
    SnapshotStoreError,
    UsageError,
)
from migsafe.reverse.sqlite.schema import ARCHIVE_PREFIX
from migsafe.snapshots.checks import Check, compare_data, file_checks
from migsafe.snapshots.model import Snapshot, SnapshotMode, SnapshotStore
from migsafe.snapshots.pgdump import sha256_file
from migsafe.snapshots.store import store_error

__all__ = ["SqliteRestore", "dump_sqlite", "restore_sqlite", "sqlite_checks"]

_PAGES_PER_STEP = 1024
#: SQLite result codes that mean the snapshot directory, not the database, is at fault.
_STORE_ERRORS = {
    sqlite3.SQLITE_FULL,
    sqlite3.SQLITE_IOERR,
    sqlite3.SQLITE_CANTOPEN,
    sqlite3.SQLITE_READONLY,
}
_QUOTE = sqlite_dialect.dialect().identifier_preparer.quote_identifier


@dataclass(frozen=True)
class SqliteRestore:
    """What a restore did: the database it wrote and the migsafe tables it kept."""

    snapshot_id: str
    database: str  # redacted URL
    kept_tables: tuple[str, ...]
    data_matches: bool  # row counts and checksums equal the recorded ones after the restore


def dump_sqlite(
    url: str,
    store: SnapshotStore,
    *,
    snapshot_id: str,
    run_id: str | None = None,
    revisions: Sequence[str] = (),
    progress: Callable[[int], None] | None = None,
) -> Snapshot:
    """Copy the database into the store and register it; nothing is registered on failure."""
    source = _database_path(url)
    if not source.is_file():
        raise SnapshotError(f"SQLite database {source} does not exist")
    created_at = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    temp = store.temp_path(snapshot_id)
    try:
        with _errors(temp.parent):
            with (
                closing(sqlite3.connect(source, timeout=30)) as src,
                closing(sqlite3.connect(temp)) as dst,
            ):
                page_size = int(src.execute("PRAGMA page_size").fetchone()[0])
                src.backup(dst, pages=_PAGES_PER_STEP, progress=_pages(progress, page_size))
                # A WAL-mode source gives a WAL-mode copy; the stored file must stand alone.
                dst.execute("PRAGMA journal_mode=DELETE")
            with _read_only(temp) as engine, engine.connect() as conn:
                recorded = _fingerprint(conn)
        snapshot = Snapshot(
            id=snapshot_id,
            database=redact(url),
            backend="sqlite",
            mode=SnapshotMode.FULL,
            tables=tuple(sorted(recorded.tables)),
            revisions=tuple(revisions),
            created_at=created_at,
            file=temp.name,
            size=temp.stat().st_size,
            sha256=sha256_file(temp),
            server_version=sqlite3.sqlite_version,
            tool_version=f"sqlite3 {sqlite3.sqlite_version}",
            run_id=run_id,
            schema_fingerprint=recorded.schema,
            table_checksums=dict(recorded.tables),
            row_counts=dict(recorded.row_counts),
            source_database=str(source.resolve()),
        )
        return store.commit(snapshot, temp)
    except BaseException:
        store.discard(temp)
        raise


def sqlite_checks(path: Path, snapshot: Snapshot, *, restore: bool) -> list[Check]:
    """Checksum, ``PRAGMA integrity_check``, tables, rows; with *restore*, a restored copy."""
    checks = file_checks(path, snapshot)
    if not all(c.ok for c in checks):
        return checks
    try:
        with _read_only(path) as engine, engine.connect() as conn:
            result = [tuple(r) for r in conn.exec_driver_sql("PRAGMA integrity_check").all()]
            if result != [("ok",)]:
                detail = "; ".join(str(r[0]) for r in result[:3])
                return [*checks, Check("integrity", False, detail)]
            found = _fingerprint(conn)
    except sa.exc.DBAPIError as exc:  # damage bad enough that SQLite cannot even read it
        return [*checks, Check("integrity", False, str(exc.orig))]
    checks.append(Check("integrity", True, "ok"))
    checks.append(_table_list(snapshot, found))
    checks += compare_data(snapshot, found)
    if restore and all(c.ok for c in checks):
        try:
            checks += _restore_check(path, snapshot)
        except (sqlite3.Error, sa.exc.DBAPIError) as exc:
            checks.append(Check("restore", False, str(getattr(exc, "orig", exc))))
    return checks


def restore_sqlite(
    store: SnapshotStore,
    snapshot: Snapshot,
    url: str,
    *,
    kept_tables: Collection[str],
    lock_timeout: float = 30.0,
) -> SqliteRestore:
    """Replace the database's contents with the snapshot's, keeping migsafe's own tables.

    *kept_tables* are those (the engine's ``OWN_TABLES``: history, journal, reverses), kept
    live with every archive table (``migsafe_archive__*``) there is.

    Everything happens under an exclusive lock held from before the migsafe tables are read
    until after they are written back: no other connection sees the database in between.
    Waits up to *lock_timeout* seconds for other connections to let go of the database.
    """
    if snapshot.backend != "sqlite":
        raise UsageError(f"snapshot {snapshot.id} is a {snapshot.backend} snapshot, not SQLite")
    path = store.local_path(snapshot)
    failed = [c for c in file_checks(path, snapshot) if not c.ok]
    if failed:
        raise SnapshotCorrupt(
            f"snapshot {snapshot.id} cannot be restored: {failed[0].name}: {failed[0].detail}",
            hint="the database was not touched; restore from another snapshot",
        )
    target = _database_path(url)
    stage = "untouched"
    try:
        with (
            closing(sqlite3.connect(_ro_uri(path), uri=True)) as src,
            closing(sqlite3.connect(target, timeout=lock_timeout, isolation_level=None)) as dst,
        ):
            # EXCLUSIVE locking mode keeps the lock past COMMIT, until the connection closes;
            # the backup API refuses a destination with an open transaction, not a held lock.
            dst.execute("PRAGMA locking_mode=EXCLUSIVE")
            dst.execute("BEGIN EXCLUSIVE")
            kept = {name: _save_table(dst, name) for name in (*kept_tables, *_archives(dst))}
            dst.execute("COMMIT")
            src.backup(dst)  # one step, one transaction: all of the snapshot or nothing
            stage = "copied"
            dst.execute("BEGIN IMMEDIATE")
            # The snapshot's archive tables that are gone now (pruned since) stay gone.
            for name in _archives(dst):
                if name not in kept:
                    _put_back(dst, name, None)
            for name, saved in kept.items():
                _put_back(dst, name, saved)
            dst.execute("COMMIT")
            stage = "restored"
            engine = sa.create_engine("sqlite://", creator=lambda: dst, poolclass=StaticPool)
            with engine.connect() as conn:
                found = _fingerprint(conn)
    except (sqlite3.Error, sa.exc.DBAPIError) as exc:
        reason = getattr(exc, "orig", exc)
        if stage == "untouched":
            raise SnapshotError(
                f"restore of {redact(url)} from {snapshot.id} failed, the database was not "
                f"changed: {reason}"
            ) from exc
        if stage == "restored":
            raise SnapshotError(
                f"{redact(url)} was restored from {snapshot.id}, but could not be read back "
                f"to check it: {reason}"
            ) from exc
        raise MigrationNotRestored(
            f"{redact(url)} now holds snapshot {snapshot.id}, but migsafe's history, journal "
            f"and archive tables could not be put back as they were: {reason}",
            hint="the data is restored; the run history of this database may be incomplete",
        ) from exc
    matches = all(c.ok for c in compare_data(snapshot, found))
    return SqliteRestore(
        snapshot_id=snapshot.id,
        database=redact(url),
        kept_tables=tuple(n for n, saved in kept.items() if saved is not None),
        data_matches=matches,
    )


# -- helpers ----------------------------------------------------------------------------------

_Saved = tuple[list[str], list[str], list[tuple[Any, ...]]]  # DDL, columns, rows


def _save_table(conn: sqlite3.Connection, name: str) -> _Saved | None:
    """A table's DDL (table first, then its indexes and triggers), columns and rows."""
    ddl = [
        sql
        for (sql,) in conn.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL "
            "ORDER BY type <> 'table', rowid",
            (name,),
        )
    ]
    if not ddl:
        return None
    cursor = conn.execute(f"SELECT * FROM {_QUOTE(name)}")
    columns = [d[0] for d in cursor.description]
    return ddl, columns, cursor.fetchall()


def _archives(conn: sqlite3.Connection) -> list[str]:
    """The archive tables reverse scripts keep data in (see migsafe.reverse.sqlite)."""
    rows = conn.execute(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND substr(name, 1, ?) = ?",
        (len(ARCHIVE_PREFIX), ARCHIVE_PREFIX),
    )
    return [str(r[0]) for r in rows]


def _put_back(conn: sqlite3.Connection, name: str, saved: _Saved | None) -> None:
    conn.execute(f"DROP TABLE IF EXISTS {_QUOTE(name)}")
    if saved is None:
        return
    ddl, columns, rows = saved
    for statement in ddl:
        conn.execute(statement)
    if rows:
        cols = ", ".join(_QUOTE(c) for c in columns)
        marks = ", ".join("?" for _ in columns)
        conn.executemany(f"INSERT INTO {_QUOTE(name)} ({cols}) VALUES ({marks})", rows)


def _fingerprint(conn: sa.Connection) -> Fingerprint:
    """Fingerprint of every table but migsafe's own (``"main.table"`` keys)."""
    own = conn.execute(
        text(
            "SELECT name FROM sqlite_master "
            "WHERE type = 'table' AND name LIKE 'migsafe\\_%' ESCAPE '\\'"
        )
    ).scalars()
    return fingerprint(conn, exclude_tables=list(own))


def _table_list(snapshot: Snapshot, found: Fingerprint) -> Check:
    missing = sorted(set(snapshot.tables) - set(found.tables))
    extra = sorted(set(found.tables) - set(snapshot.tables))
    if missing or extra:
        return Check("tables", False, f"missing {missing or 'none'}, unexpected {extra or 'none'}")
    n = len(snapshot.tables)
    return Check("tables", True, f"{n} table present" if n == 1 else f"{n} tables present")


def _restore_check(path: Path, snapshot: Snapshot) -> list[Check]:
    """Restore through the backup API into memory, then compare schema and data."""
    with closing(sqlite3.connect(_ro_uri(path), uri=True)) as src:
        memory = sqlite3.connect(":memory:")
        src.backup(memory)
    engine = sa.create_engine("sqlite://", creator=lambda: memory, poolclass=StaticPool)
    try:
        with engine.connect() as conn:
            found = _fingerprint(conn)
    finally:
        engine.dispose()  # closes the in-memory database
    checks = [Check("restore", True, "restored through the backup API into memory")]
    if snapshot.schema_fingerprint is not None and found.schema != snapshot.schema_fingerprint:
        checks.append(Check("schema", False, "the restored schema differs from the recorded one"))
    else:
        checks.append(Check("schema", True, "matches"))
    return checks + compare_data(snapshot, found)


def _database_path(url: str) -> Path:
    parsed = parse_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise UsageError(f"{redact(parsed)} is not a SQLite URL")
    if not parsed.database or parsed.database == ":memory:":
        raise UsageError("an in-memory SQLite database cannot be snapshotted or restored")
    return Path(parsed.database)


def _ro_uri(path: Path) -> str:
    # immutable: the stored file never changes, so no locks and no journal files beside it.
    return f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"


@contextmanager
def _read_only(path: Path) -> Iterator[sa.Engine]:
    engine = sa.create_engine("sqlite://", creator=lambda: sqlite3.connect(_ro_uri(path), uri=True))
    try:
        yield engine
    finally:
        engine.dispose()


def _pages(progress: Callable[[int], None] | None, page_size: int) -> Any:
    if progress is None:
        return None

    def report(_status: int, remaining: int, total: int) -> None:
        progress((total - remaining) * page_size)

    return report


@contextmanager
def _errors(directory: Path) -> Iterator[None]:
    """sqlite3 and OS errors while copying: the store's fault (exit 3) or a failed snapshot."""
    try:
        yield
    except OSError as exc:
        raise store_error(directory, exc) from exc
    except sa.exc.DBAPIError as exc:  # reading the copy back through SQLAlchemy
        raise SnapshotError(f"SQLite backup cannot be read back: {exc.orig}") from exc
    except sqlite3.Error as exc:
        if sqlite_code(exc) in _STORE_ERRORS:
            raise SnapshotStoreError(
                f"snapshot directory {directory} is not writable: {exc}"
            ) from exc
        raise SnapshotError(f"SQLite backup failed: {exc}") from exc
