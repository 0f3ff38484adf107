"""The local store: private, atomic, and loud when it cannot write."""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from migsafe.errors import ExitCode, SnapshotError, SnapshotNotFound, SnapshotStoreError
from migsafe.snapshots.model import Snapshot, SnapshotStatus
from migsafe.snapshots.store import LocalStore, new_snapshot_id, preflight


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def entry(snapshot_id: str, created_at: str = "2026-11-26T11:48:11+00:00") -> Snapshot:
    return Snapshot(
        id=snapshot_id,
        database="postgresql+psycopg://app:***@db/app",
        backend="postgresql",
        mode="full",
        tables=("public.items",),
        revisions=("abc123",),
        created_at=created_at,
        file="",
        size=5,
        sha256="0" * 64,
    )


def write(store: LocalStore, snapshot: Snapshot, data: bytes = b"hello") -> Snapshot:
    temp = store.temp_path(snapshot.id)
    temp.write_bytes(data)
    return store.commit(snapshot, temp)


@pytest.fixture
def umask() -> Iterator[Callable[[int], int]]:
    previous = os.umask(0o022)
    os.umask(previous)
    yield os.umask
    os.umask(previous)


def test_directory_is_0700_and_every_file_0600(
    store: LocalStore, umask: Callable[[int], int]
) -> None:
    umask(0o022)  # the usual umask would leave new files world-readable
    committed = write(store, entry("20261126T114811Z-aaaaaa"))
    assert mode(store.root) == 0o700
    assert committed.file == "20261126T114811Z-aaaaaa.dump"
    files = sorted(p.name for p in store.root.iterdir())
    assert files == ["20261126T114811Z-aaaaaa.dump", "20261126T114811Z-aaaaaa.json"]
    assert all(mode(store.root / f) == 0o600 for f in files)


def test_partial_file_is_0600_from_creation(store: LocalStore, umask: Callable[[int], int]) -> None:
    umask(0)
    temp = store.temp_path("20261126T114811Z-aaaaaa")
    assert temp.name == ".20261126T114811Z-aaaaaa.partial"
    assert mode(temp) == 0o600


def test_existing_loose_directory_is_tightened(tmp_path: Path) -> None:
    root = tmp_path / "loose"
    root.mkdir(mode=0o755)
    root.chmod(0o755)
    LocalStore(root).temp_path("20261126T114811Z-aaaaaa")
    assert mode(root) == 0o700


def test_sqlite_snapshot_file_ends_in_sqlite(store: LocalStore) -> None:
    committed = write(store, replace(entry("20261126T114811Z-aaaaaa"), backend="sqlite"))
    assert committed.file.endswith(".sqlite")
    assert store.local_path(committed).read_bytes() == b"hello"


def test_stale_partial_files_are_never_listed(store: LocalStore) -> None:
    write(store, entry("20261126T114811Z-aaaaaa"))
    store.temp_path("20261126T114812Z-bbbbbb").write_bytes(b"half a dump")
    (store.root / ".20261126T114812Z-bbbbbb.json.partial").write_text("{")
    assert [s.id for s in store.list()] == ["20261126T114811Z-aaaaaa"]


def test_list_is_newest_first(store: LocalStore) -> None:
    write(store, entry("20261126T100000Z-aaaaaa", "2026-11-26T10:00:00+00:00"))
    write(store, entry("20261126T120000Z-bbbbbb", "2026-11-26T12:00:00+00:00"))
    assert [s.id for s in store.list()] == ["20261126T120000Z-bbbbbb", "20261126T100000Z-aaaaaa"]


def test_get_accepts_a_unique_prefix(store: LocalStore) -> None:
    write(store, entry("20261126T100000Z-aaaaaa"))
    write(store, entry("20261127T100000Z-bbbbbb"))
    assert store.get("20261127").id == "20261127T100000Z-bbbbbb"
    assert store.get("20261126T100000Z-aaaaaa").id == "20261126T100000Z-aaaaaa"


def test_get_refuses_an_ambiguous_prefix(store: LocalStore) -> None:
    write(store, entry("20261126T100000Z-aaaaaa"))
    write(store, entry("20261126T110000Z-bbbbbb"))
    with pytest.raises(SnapshotError, match="ambiguous") as err:
        store.get("20261126")
    assert not isinstance(err.value, SnapshotNotFound)


@pytest.mark.parametrize("wanted", ["nope", "", "../etc/passwd"], ids=["unknown", "empty", "path"])
def test_get_unknown_is_not_found(store: LocalStore, wanted: str) -> None:
    write(store, entry("20261126T100000Z-aaaaaa"))
    with pytest.raises(SnapshotNotFound):
        store.get(wanted)


def test_update_rewrites_the_entry_and_delete_removes_both_files(store: LocalStore) -> None:
    committed = write(store, entry("20261126T100000Z-aaaaaa"))
    store.update(committed.with_status(SnapshotStatus.VERIFIED, "fine"))
    assert store.get(committed.id).status == SnapshotStatus.VERIFIED
    assert mode(store.root / f"{committed.id}.json") == 0o600
    store.delete(committed)
    assert list(store.root.iterdir()) == []
    assert store.list() == []


def test_invalid_snapshot_id_is_refused(store: LocalStore) -> None:
    with pytest.raises(SnapshotError, match="invalid snapshot id"):
        store.temp_path("../escape")


def test_new_ids_sort_by_creation_time() -> None:
    early = new_snapshot_id(dt.datetime(2026, 11, 26, 11, 48, 11, tzinfo=dt.UTC))
    late = new_snapshot_id(dt.datetime(2026, 11, 26, 11, 48, 12, tzinfo=dt.UTC))
    assert early.startswith("20261126T114811Z-") and len(early) == len("20261126T114811Z-3f2c9a")
    assert early < late
    assert new_snapshot_id() != new_snapshot_id()


def test_store_path_through_a_regular_file_is_not_writable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    store = LocalStore(blocker / "snapshots")
    with pytest.raises(SnapshotStoreError, match="is not writable") as err:
        store.temp_path("20261126T100000Z-aaaaaa")
    assert err.value.exit_code == ExitCode.UNAVAILABLE
    with pytest.raises(SnapshotStoreError):
        preflight(store, None)


def test_read_only_directory_fails_preflight(tmp_path: Path, tmpfs: Callable[..., Path]) -> None:
    if os.geteuid() == 0:  # root ignores permission bits: use a read-only mount
        root = tmpfs("64k", read_only=True)
    else:
        root = tmp_path / "ro"
        root.mkdir(mode=0o500)
    with pytest.raises(SnapshotStoreError, match="is not writable") as err:
        preflight(LocalStore(root), 1)
    assert err.value.exit_code == ExitCode.UNAVAILABLE


def test_preflight_refuses_when_free_space_is_short(store: LocalStore) -> None:
    found = preflight(store, 1024)
    assert found.free_bytes >= 1024
    with pytest.raises(SnapshotStoreError, match="free"):
        preflight(store, found.free_bytes * 1000 + 1)
    assert [p.name for p in store.root.iterdir()] == []  # the probe file is gone


def test_full_disk_while_registering_leaves_nothing(tmpfs: Callable[..., Path]) -> None:
    store = LocalStore(tmpfs("16k") / "snapshots")
    temp = store.temp_path("20261126T100000Z-aaaaaa")
    temp.write_bytes(b"x" * 16 * 1024)  # the dump fits, exactly; its catalog entry will not
    with pytest.raises(SnapshotStoreError, match="No space left") as err:
        store.commit(entry("20261126T100000Z-aaaaaa"), temp)
    assert err.value.exit_code == ExitCode.UNAVAILABLE
    assert store.list() == []
    assert [p.name for p in store.root.iterdir()] == []


# -- what interrupted runs leave --------------------------------------------------------------


def crash_leftovers(store: LocalStore) -> set[str]:
    """The files a run killed at various points leaves behind (written as a crash would)."""
    store.ensure()
    names = {
        ".20261126T114812Z-bbbbbb.partial": b"half a dump",
        ".20261126T114812Z-bbbbbb.partial-journal": b"sqlite journal",
        ".20261126T114813Z-cccccc.json.partial": b"{",
        ".probe-0a1b2c3d": b"\0",
        "20261126T114814Z-dddddd.dump": b"renamed, entry never written",
    }
    for name, data in names.items():
        (store.root / name).write_bytes(data)
    return set(names)


def test_leftovers_of_interrupted_runs_are_reported_then_removed(store: LocalStore) -> None:
    committed = write(store, entry("20261126T114811Z-aaaaaa"))
    left = crash_leftovers(store)
    (store.root / "notes.txt").write_text("the user's own")
    (store.root / "manual.dump").write_text("not named like a snapshot of ours")

    assert {f.name for f in store.leftovers()} == left
    assert {f.name for f in store.remove_leftovers(dry_run=True)} == left
    assert left <= {p.name for p in store.root.iterdir()}

    removed = store.remove_leftovers()

    assert {f.name for f in removed} == left
    assert sorted(p.name for p in store.root.iterdir()) == sorted(
        [committed.file, f"{committed.id}.json", "notes.txt", "manual.dump"]
    )
    assert store.leftovers() == ()
    assert [s.id for s in store.list()] == [committed.id]


def test_nothing_is_a_leftover_while_a_snapshot_is_being_written(store: LocalStore) -> None:
    """Another run writing holds the store's shared lock: its files are not touched."""
    left = crash_leftovers(store)
    writer = LocalStore(store.root)  # another writer (its own lock, as another process's)
    temp = writer.temp_path("20261126T114815Z-eeeeee")
    temp.write_bytes(b"being written")

    assert store.leftovers() == ()
    assert store.remove_leftovers() == ()
    assert temp.exists() and left <= {p.name for p in store.root.iterdir()}

    writer.commit(entry("20261126T114815Z-eeeeee"), temp)  # done: the lock is let go
    assert {f.name for f in store.remove_leftovers()} == left
    assert [s.id for s in store.list()] == ["20261126T114815Z-eeeeee"]


def test_a_discarded_snapshot_lets_go_of_the_lock(store: LocalStore) -> None:
    left = crash_leftovers(store)
    writer = LocalStore(store.root)
    temp = writer.temp_path("20261126T114815Z-eeeeee")
    assert store.leftovers() == ()
    writer.discard(temp)
    assert {f.name for f in store.leftovers()} == left
