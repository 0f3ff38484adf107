"""SQLite snapshots: backup API copy, verification, and a restore that keeps migsafe's tables."""

from __future__ import annotations

import sqlite3
import stat
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from migsafe.engine.history import OWN_TABLES
from migsafe.errors import SnapshotCorrupt, SnapshotError
from migsafe.snapshots.model import Snapshot, SnapshotStatus
from migsafe.snapshots.pgdump import sha256_file
from migsafe.snapshots.sqlite import dump_sqlite, restore_sqlite
from migsafe.snapshots.store import LocalStore
from migsafe.snapshots.verify import verify

SID = "20261126T114811Z-3f2c9a"

SEED = """
CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL, photo BLOB);
CREATE INDEX ix_items_name ON items (name);
CREATE TABLE "odd ""q"" name" (k TEXT);
CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY);
CREATE TABLE migsafe_history (run_id VARCHAR(32) PRIMARY KEY, status TEXT);
CREATE INDEX ix_migsafe_history_status ON migsafe_history (status);
CREATE TABLE migsafe_journal (id INTEGER PRIMARY KEY, run_id TEXT);
INSERT INTO items (name, price, photo) VALUES ('apple', 1.5, x'00ff'), ('pear', NULL, NULL);
INSERT INTO "odd ""q"" name" VALUES ('x');
INSERT INTO alembic_version VALUES ('abc123');
INSERT INTO migsafe_history VALUES ('run1', 'succeeded');
"""


def db(url: str) -> sqlite3.Connection:
    return sqlite3.connect(make_url(url).database or "", isolation_level=None)


def rows(url: str, query: str) -> list[tuple[object, ...]]:
    with closing(db(url)) as conn:
        return conn.execute(query).fetchall()


@pytest.fixture
def seeded(sqlite_url: str) -> str:
    with closing(db(sqlite_url)) as conn:
        conn.executescript(SEED)
    return sqlite_url


@pytest.fixture
def snap(seeded: str, store: LocalStore) -> Snapshot:
    return dump_sqlite(seeded, store, snapshot_id=SID, run_id="run2", revisions=("abc123",))


def test_snapshot_registers_a_complete_entry(snap: Snapshot, store: LocalStore) -> None:
    path = store.local_path(snap)
    assert store.list() == [snap]
    assert (snap.backend, snap.mode, snap.file) == ("sqlite", "full", f"{SID}.sqlite")
    assert snap.tables == ("main.alembic_version", "main.items", 'main.odd "q" name')
    assert dict(snap.row_counts) == {
        "main.alembic_version": 1,
        "main.items": 2,
        'main.odd "q" name': 1,
    }
    assert snap.sha256 == sha256_file(path) and snap.size == path.stat().st_size
    assert snap.tool_version == f"sqlite3 {sqlite3.sqlite_version}"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in store.root.iterdir()) == [f"{SID}.json", f"{SID}.sqlite"]


def test_progress_reports_bytes_copied(seeded: str, store: LocalStore) -> None:
    seen: list[int] = []
    snap = dump_sqlite(seeded, store, snapshot_id=SID, progress=seen.append)
    assert seen and seen[-1] >= snap.size // 2  # pages copied, before the journal-mode change


def test_wal_database_is_copied_with_its_uncheckpointed_writes(
    seeded: str, store: LocalStore
) -> None:
    with closing(db(seeded)) as writer:
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.execute("INSERT INTO items (name) VALUES ('only in the WAL')")
        snap = dump_sqlite(seeded, store, snapshot_id=SID)
    assert snap.row_counts["main.items"] == 3
    with closing(sqlite3.connect(store.local_path(snap))) as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)


def test_verify_quick_then_restore(snap: Snapshot, store: LocalStore) -> None:
    quick = verify(store, snap)
    assert quick.ok, quick.checks
    names = [c.name for c in quick.checks]
    assert names == ["file", "sha256", "integrity", "tables", "row counts", "checksums"]
    assert store.get(SID).status == SnapshotStatus.VERIFIED
    full = verify(store, store.get(SID), restore=True)
    assert full.ok, full.checks
    assert store.get(SID).status == SnapshotStatus.RESTORE_VERIFIED
    assert sorted(p.name for p in store.root.iterdir()) == [f"{SID}.json", f"{SID}.sqlite"]


def test_one_byte_change_fails_verification(snap: Snapshot, store: LocalStore) -> None:
    path = store.local_path(snap)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    result = verify(store, snap)
    assert not result.ok and result.checks[-1].name == "sha256"
    assert store.get(SID).status == SnapshotStatus.FAILED


def test_corrupt_page_with_a_matching_checksum_fails_integrity(
    snap: Snapshot, store: LocalStore
) -> None:
    path = store.local_path(snap)
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    data[page_size : page_size + 8] = b"\xff" * 8  # page 2's b-tree header
    path.write_bytes(bytes(data))
    lying = replace(snap, sha256=sha256_file(path))
    store.update(lying)
    result = verify(store, lying)
    assert not result.ok
    assert store.get(SID).status == SnapshotStatus.FAILED


def test_tampered_recorded_checksum_fails(snap: Snapshot, store: LocalStore) -> None:
    tampered = replace(snap, table_checksums={**snap.table_checksums, "main.items": "0" * 64})
    store.update(tampered)
    result = verify(store, tampered)
    assert [c.name for c in result.checks if not c.ok] == ["checksums"]


def test_restore_brings_data_back_and_keeps_live_migsafe_tables(
    seeded: str, snap: Snapshot, store: LocalStore
) -> None:
    with closing(db(seeded)) as conn:
        conn.executescript(
            """
            DELETE FROM items WHERE name = 'apple';
            DROP TABLE "odd ""q"" name";
            CREATE TABLE added_later (x INTEGER);
            UPDATE alembic_version SET version_num = 'def456';
            INSERT INTO migsafe_history VALUES ('run2', 'failed');
            INSERT INTO migsafe_journal (run_id) VALUES ('run2');
            """
        )
    result = restore_sqlite(store, snap, seeded, kept_tables=OWN_TABLES)
    assert result.data_matches
    assert result.kept_tables == ("migsafe_history", "migsafe_journal")
    assert rows(seeded, "SELECT name FROM items ORDER BY id") == [("apple",), ("pear",)]
    assert rows(seeded, "SELECT version_num FROM alembic_version") == [("abc123",)]
    assert rows(seeded, "SELECT count(*) FROM sqlite_master WHERE name = 'added_later'") == [(0,)]
    assert rows(seeded, "SELECT * FROM migsafe_history ORDER BY run_id") == [
        ("run1", "succeeded"),
        ("run2", "failed"),
    ]
    assert rows(seeded, "SELECT run_id FROM migsafe_journal") == [("run2",)]
    indexes = rows(seeded, "SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name")
    assert ("ix_migsafe_history_status",) in indexes and ("ix_items_name",) in indexes
    with closing(db(seeded)) as other:  # the exclusive lock is gone with the restore
        other.execute("INSERT INTO items (name) VALUES ('after')")


def test_restore_drops_migsafe_tables_the_live_database_did_not_have(
    tmp_path: Path, snap: Snapshot, store: LocalStore
) -> None:
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    result = restore_sqlite(store, snap, fresh, kept_tables=OWN_TABLES)
    assert result.kept_tables == ()
    assert rows(fresh, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'migsafe%'") == [(0,)]
    assert rows(fresh, "SELECT count(*) FROM items") == [(2,)]


def test_restore_refuses_a_corrupted_snapshot_and_leaves_the_database(
    seeded: str, snap: Snapshot, store: LocalStore
) -> None:
    path = store.local_path(snap)
    data = path.read_bytes()
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 0x01]))
    with closing(db(seeded)) as conn:
        conn.execute("DELETE FROM items")
    with pytest.raises(SnapshotCorrupt, match="cannot be restored"):
        restore_sqlite(store, snap, seeded, kept_tables=OWN_TABLES)
    assert rows(seeded, "SELECT count(*) FROM items") == [(0,)]


def test_restore_gives_up_on_a_locked_database_without_changing_it(
    seeded: str, snap: Snapshot, store: LocalStore
) -> None:
    with closing(db(seeded)) as holder:
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("DELETE FROM items")
        with pytest.raises(SnapshotError, match="was not changed"):
            restore_sqlite(store, snap, seeded, kept_tables=OWN_TABLES, lock_timeout=0.2)
        holder.execute("COMMIT")
    assert rows(seeded, "SELECT count(*) FROM items") == [(0,)]
