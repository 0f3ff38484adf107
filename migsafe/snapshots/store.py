"""A snapshot store in a local directory, private to its owner and crash-safe.

A snapshot holds a copy of the whole database, so the directory is 0700 and every file in it
0600 from the moment it is created (explicit ``os.open`` modes, never a chmod afterwards that
would leave a window). A snapshot becomes visible only when its catalog entry, ``<id>.json``,
is renamed into place after the data file: a crash at any point leaves either a complete
snapshot or a hidden ``.<id>.partial`` file that is never listed.

What a crash leaves is found by :meth:`LocalStore.leftovers` and removed by
:meth:`LocalStore.remove_leftovers`. To tell a leftover from a file being written right now,
every writer holds a shared ``flock`` on the directory while it writes (the kernel drops it
when the writer dies, however it dies); the cleaner needs the exclusive lock, and leaves
everything alone when it cannot have it at once.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import re
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from migsafe.errors import SnapshotCorrupt, SnapshotError, SnapshotNotFound, SnapshotStoreError
from migsafe.results import json_key
from migsafe.snapshots.model import Snapshot

__all__ = ["Leftover", "LocalStore", "Preflight", "new_snapshot_id", "preflight", "store_error"]

_DIR_MODE = 0o700
_FILE_MODE = 0o600
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW  # never through a symlink
_PARTIAL = ".partial"
_CATALOG = ".json"
_EXTENSIONS = {"sqlite": ".sqlite"}  # every other backend writes a pg_dump archive
_DEFAULT_EXTENSION = ".dump"
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
# What new_snapshot_id() makes: a data file named so, without its entry, is ours to remove.
_GENERATED_ID = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{6}")
_PROBE = ".probe-"

_HINTS = {
    errno.ENOSPC: "free some space, prune old snapshots, or point the snapshot directory elsewhere",
    errno.EDQUOT: "the disk quota is exhausted: prune old snapshots or raise the quota",
    errno.EROFS: "the file system is mounted read-only: choose another snapshot directory",
    errno.EFBIG: "the file size limit (ulimit -f) is too small for this snapshot",
    errno.ENOTDIR: "the snapshot directory path runs through a regular file",
    errno.EEXIST: "the snapshot directory path is a file, not a directory",
}
_DEFAULT_HINT = "check the directory's owner and permissions, or choose another directory"


def new_snapshot_id(now: dt.datetime | None = None) -> str:
    """A new id that sorts by creation time: ``20261126T114811Z-3f2c9a``."""
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return f"{moment:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def store_error(root: Path, exc: OSError) -> SnapshotStoreError:
    """The error for a failed write into *root*, with a hint chosen by errno."""
    reason = exc.strerror or str(exc)
    return SnapshotStoreError(
        f"snapshot directory {root} is not writable: {reason}",
        hint=_HINTS.get(exc.errno or 0, _DEFAULT_HINT),
    )


@dataclass(frozen=True)
class Preflight:
    """What :func:`preflight` found: the directory is writable and has this much room."""

    directory: Path
    free_bytes: int
    expected_bytes: int | None


@dataclass(frozen=True)
class Leftover:
    """A file an interrupted snapshot left in the store; never listed as a snapshot."""

    name: str = field(metadata=json_key("file"))
    size: int
    what: str


class LocalStore:
    """Snapshots as ``<id>.dump`` (or ``.sqlite``) plus ``<id>.json`` in one private directory."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._writers: dict[Path, int | None] = {}  # a temp file -> the lock held for it

    def __repr__(self) -> str:
        return f"LocalStore({str(self.root)!r})"

    # -- writing ---------------------------------------------------------------------------
    def ensure(self) -> None:
        """Create the directory 0700, or tighten an existing one that is looser."""
        with self._writing():
            self.root.mkdir(mode=_DIR_MODE, parents=True, exist_ok=True)
            if not self.root.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, "not a directory", str(self.root))
            if stat.S_IMODE(self.root.stat().st_mode) != _DIR_MODE:
                self.root.chmod(_DIR_MODE)

    def temp_path(self, snapshot_id: str) -> Path:
        """A hidden ``.<id>.partial`` file, created empty and 0600, for a writer to fill."""
        _check_id(snapshot_id)
        self.ensure()
        path = self.root / f".{snapshot_id}{_PARTIAL}"
        lock = self._lock(fcntl.LOCK_SH)  # held until commit or discard
        try:
            with self._writing():
                os.close(os.open(path, _CREATE_FLAGS, _FILE_MODE))
                os.chmod(path, _FILE_MODE)  # O_CREAT's mode does not apply to a leftover file
        except BaseException:
            _unlock(lock)
            raise
        self._release(path)
        self._writers[path] = lock
        return path

    def commit(self, snapshot: Snapshot, written: Path) -> Snapshot:
        """Make *written* the snapshot's file and register *snapshot*; returns the entry."""
        _check_id(snapshot.id)
        if written.parent != self.root or written.name != f".{snapshot.id}{_PARTIAL}":
            raise SnapshotError(f"{written} is not this store's temporary file for {snapshot.id}")
        final = self.root / f"{snapshot.id}{_EXTENSIONS.get(snapshot.backend, _DEFAULT_EXTENSION)}"
        entry = replace(snapshot, file=final.name)
        try:
            with self._writing():
                if self._catalog(snapshot.id).exists():
                    raise SnapshotError(f"snapshot {snapshot.id} already exists in {self.root}")
                _fsync_file(written)
                os.replace(written, final)
                try:
                    self._write_entry(entry)  # fsyncs the directory, covering both renames
                except BaseException:
                    final.unlink(missing_ok=True)  # a file without an entry is never listed
                    raise
        finally:
            self._release(written)
        return entry

    def discard(self, written: Path) -> None:
        """Remove a temporary file (and any SQLite journal beside it); missing is fine."""
        siblings = [written.with_name(written.name + s) for s in ("-journal", "-wal", "-shm")]
        try:
            for path in (written, *siblings):
                try:
                    path.unlink(missing_ok=True)
                except OSError as exc:
                    raise store_error(self.root, exc) from exc
        finally:
            self._release(written)

    def update(self, snapshot: Snapshot) -> None:
        """Rewrite the catalog entry of an existing snapshot."""
        self.get(snapshot.id)  # exact id, must exist
        with self._writing():
            self._write_entry(snapshot)

    def delete(self, snapshot: Snapshot) -> None:
        """Remove the entry first, so no listed snapshot is ever missing its file."""
        with self._writing():
            self._catalog(snapshot.id).unlink(missing_ok=True)
            (self.root / _plain_name(snapshot.file)).unlink(missing_ok=True)
            _fsync_dir(self.root)

    # -- reading ---------------------------------------------------------------------------
    def list(self) -> list[Snapshot]:
        """Every committed snapshot, newest first; partial files are never listed."""
        if not self.root.is_dir():
            return []
        entries = [
            self._read_entry(path)
            for path in self.root.iterdir()
            if path.suffix == _CATALOG and not path.name.startswith(".")
        ]
        return sorted(entries, key=lambda s: (s.created_at, s.id), reverse=True)

    def get(self, snapshot_id: str) -> Snapshot:
        """The snapshot with this id, or the only one whose id starts with it."""
        if _ID.fullmatch(snapshot_id) and self._catalog(snapshot_id).is_file():
            return self._read_entry(self._catalog(snapshot_id))
        matches = [s for s in self.list() if s.id.startswith(snapshot_id)] if snapshot_id else []
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise SnapshotNotFound(
                f"no snapshot {snapshot_id!r} in {self.root}",
                hint="`migsafe snapshot list` shows the snapshots there are",
            )
        shown = ", ".join(s.id for s in matches[:5]) + (", ..." if len(matches) > 5 else "")
        raise SnapshotError(
            f"snapshot id prefix {snapshot_id!r} is ambiguous: it matches {shown}",
            hint="give more characters of the id",
        )

    def local_path(self, snapshot: Snapshot) -> Path:
        return self.root / _plain_name(snapshot.file)

    # -- what crashes leave ----------------------------------------------------------------
    def leftovers(self) -> tuple[Leftover, ...]:
        """Files an interrupted run left; none while another run is writing to the store."""
        return self.remove_leftovers(dry_run=True)

    def remove_leftovers(self, *, dry_run: bool = False) -> tuple[Leftover, ...]:
        """Remove what an interrupted run left (nothing while another run writes); those.

        Without the exclusive lock at once (another run is writing, or the file system has
        no ``flock``), it cannot tell a leftover from a file being written: nothing is done.
        """
        if not self.root.is_dir():
            return ()
        try:
            lock = self._lock(fcntl.LOCK_EX | fcntl.LOCK_NB, create=False)
        except _Busy:
            return ()
        if lock is None:
            return ()
        try:
            found = self._scan()
            if not dry_run and found:
                with self._writing():
                    for leftover in found:
                        (self.root / leftover.name).unlink(missing_ok=True)
                    _fsync_dir(self.root)
            return found
        finally:
            _unlock(lock)

    def _scan(self) -> tuple[Leftover, ...]:
        found = []
        names = {path.name for path in self.root.iterdir()}
        for name in sorted(names):
            what = _leftover_kind(name, names)
            if what is None:
                continue
            try:
                info = (self.root / name).lstat()
            except FileNotFoundError:
                continue
            if stat.S_ISREG(info.st_mode):
                found.append(Leftover(name=name, size=info.st_size, what=what))
        return tuple(found)

    # -- internals -------------------------------------------------------------------------
    def _catalog(self, snapshot_id: str) -> Path:
        return self.root / f"{snapshot_id}{_CATALOG}"

    def _read_entry(self, path: Path) -> Snapshot:
        try:
            return Snapshot.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise SnapshotNotFound(f"no snapshot {path.stem!r} in {self.root}") from None
        except (OSError, ValueError, TypeError) as exc:
            raise SnapshotCorrupt(
                f"catalog entry {path} cannot be read: {exc}",
                hint="restore the file from a backup, or delete it and the snapshot file",
            ) from exc

    def _write_entry(self, snapshot: Snapshot) -> None:
        """Write ``<id>.json`` through a hidden temporary file: never half-written."""
        with self._shared():
            self._write_entry_locked(snapshot)

    def _write_entry_locked(self, snapshot: Snapshot) -> None:
        target = self._catalog(snapshot.id)
        temp = self.root / f".{snapshot.id}{_CATALOG}{_PARTIAL}"
        data = (snapshot.to_json() + "\n").encode("utf-8")
        try:
            fd = os.open(temp, _CREATE_FLAGS, _FILE_MODE)
            try:
                os.fchmod(fd, _FILE_MODE)
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        _fsync_dir(self.root)

    @contextmanager
    def _shared(self) -> Iterator[None]:
        """The writers' shared lock on the directory, for the duration of the block."""
        lock = self._lock(fcntl.LOCK_SH)
        try:
            yield
        finally:
            _unlock(lock)

    def _lock(self, operation: int, *, create: bool = True) -> int | None:
        """An fd of the directory holding the ``flock`` *operation*; closing it unlocks.

        None: no lock can be taken here (no directory, a file system without ``flock``).
        With LOCK_NB, _Busy if another process holds a conflicting lock.
        """
        if create:
            self.ensure()
        try:
            fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            return None
        try:
            fcntl.flock(fd, operation)
        except BlockingIOError:
            os.close(fd)
            raise _Busy from None
        except OSError:
            os.close(fd)
            return None
        return fd

    def _release(self, written: Path) -> None:
        _unlock(self._writers.pop(written, None))

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Turn an operating-system error while writing into SnapshotStoreError (exit 3)."""
        try:
            yield
        except OSError as exc:
            raise store_error(self.root, exc) from exc


def preflight(store: LocalStore, expected_bytes: int | None) -> Preflight:
    """Refuse early, before the database is touched, if a snapshot could not be written.

    Writes and removes a probe file (permissions, read-only mounts and quotas show up only on
    a real write) and compares the free space with *expected_bytes*.
    """
    store.ensure()
    probe = store.root / f"{_PROBE}{secrets.token_hex(4)}"
    with store._shared(), store._writing():
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _FILE_MODE)
        try:
            os.write(fd, b"\0")
            os.fsync(fd)
        finally:
            os.close(fd)
            probe.unlink(missing_ok=True)
        vfs = os.statvfs(store.root)
    free = vfs.f_bavail * vfs.f_frsize
    if expected_bytes is not None and free < expected_bytes:
        raise SnapshotStoreError(
            f"snapshot directory {store.root} has {_size(free)} free, "
            f"the snapshot needs about {_size(expected_bytes)}",
            hint=_HINTS[errno.ENOSPC],
        )
    return Preflight(directory=store.root, free_bytes=free, expected_bytes=expected_bytes)


def _leftover_kind(name: str, names: set[str]) -> str | None:
    """What a file in the store is, if an interrupted run left it there; None otherwise."""
    if name.startswith(_PROBE):
        return "free-space probe"
    if name.startswith(".") and name.endswith(f"{_CATALOG}{_PARTIAL}"):
        return "unfinished catalog entry"
    if name.startswith(".") and (name.endswith(_PARTIAL) or f"{_PARTIAL}-" in name):
        return "unfinished snapshot file"
    stem, dot, extension = name.rpartition(".")
    known = {_DEFAULT_EXTENSION, *_EXTENSIONS.values()}
    if (
        dot
        and f".{extension}" in known
        and _GENERATED_ID.fullmatch(stem)
        and f"{stem}{_CATALOG}" not in names
    ):
        return "snapshot file without a catalog entry"
    return None


class _Busy(Exception):
    """Another process holds the store's lock."""


def _unlock(lock: int | None) -> None:
    if lock is not None:
        os.close(lock)  # closing the fd drops its flock


def _check_id(snapshot_id: str) -> None:
    # The id becomes a file name: no separators, no leading dot, nothing a shell would mangle.
    if not _ID.fullmatch(snapshot_id):
        raise SnapshotError(f"invalid snapshot id {snapshot_id!r}")


def _plain_name(name: str) -> str:
    """A catalog's ``file`` must name a file in the store, not a path out of it."""
    if not name or name != Path(name).name or name.startswith("."):
        raise SnapshotCorrupt(f"catalog entry names an invalid file {name!r}")
    return name


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    """Make renames in *path* durable: the directory entry must reach the disk too."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"
