"""verify: a good snapshot passes, and every kind of damage is caught and recorded."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from migsafe.errors import SnapshotError, SnapshotToolError
from migsafe.snapshots.model import Snapshot, SnapshotStatus
from migsafe.snapshots.pgdump import dump, sha256_file
from migsafe.snapshots.store import LocalStore
from migsafe.snapshots.verify import verify
from tests.support.pg import PgServer

SID = "20261126T114811Z-3f2c9a"


@pytest.fixture
def full(seeded_url: str, store: LocalStore, bin_dir: Path | None) -> Snapshot:
    return dump(seeded_url, store, snapshot_id=SID, bin_dir=bin_dir)


def scratch_databases(pg_server: PgServer) -> list[str]:
    with pg_server.connect() as conn:
        rows = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'migsafe_verify%'")
        return [r[0] for r in rows]


def flip_one_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_quick_verify_passes_and_is_recorded(
    full: Snapshot, store: LocalStore, bin_dir: Path | None
) -> None:
    result = verify(store, full, bin_dir=bin_dir)
    assert result.ok, result.checks
    assert [c.name for c in result.checks] == ["file", "sha256", "archive", "tables"]
    assert result.snapshot.status == SnapshotStatus.VERIFIED
    assert store.get(SID).status == SnapshotStatus.VERIFIED
    assert store.get(SID).verified_at


def test_one_byte_change_fails_the_checksum(
    full: Snapshot, store: LocalStore, bin_dir: Path | None
) -> None:
    flip_one_byte(store.local_path(full), full.size // 2)
    result = verify(store, full, bin_dir=bin_dir)
    assert not result.ok
    assert result.checks[-1].name == "sha256" and not result.checks[-1].ok
    stored = store.get(SID)
    assert stored.status == SnapshotStatus.FAILED
    assert stored.status_detail and stored.status_detail.startswith("sha256:")


def test_truncated_file_fails(full: Snapshot, store: LocalStore, bin_dir: Path | None) -> None:
    path = store.local_path(full)
    path.write_bytes(path.read_bytes()[:100])
    result = verify(store, full, bin_dir=bin_dir)
    assert not result.ok and store.get(SID).status == SnapshotStatus.FAILED


def test_unreadable_archive_with_matching_checksum_fails(
    full: Snapshot, store: LocalStore, bin_dir: Path | None
) -> None:
    """The file was damaged before its checksum was taken: pg_restore must catch it."""
    path = store.local_path(full)
    path.write_bytes(b"not an archive" * 10)
    lying = replace(full, size=path.stat().st_size, sha256=sha256_file(path))
    store.update(lying)
    result = verify(store, lying, bin_dir=bin_dir)
    assert [(c.name, c.ok) for c in result.checks][-1] == ("archive", False)
    assert store.get(SID).status == SnapshotStatus.FAILED


def test_recorded_table_missing_from_the_archive_fails(
    full: Snapshot, store: LocalStore, bin_dir: Path | None
) -> None:
    claimed = replace(full, tables=(*full.tables, "public.ghost"))
    store.update(claimed)
    result = verify(store, claimed, bin_dir=bin_dir)
    assert not result.ok
    assert "TABLE public.ghost" in result.checks[-1].detail


def test_restore_round_trip_passes_and_drops_the_scratch_database(
    full: Snapshot, store: LocalStore, bin_dir: Path | None, pg_server: PgServer
) -> None:
    result = verify(store, full, restore=True, admin_url=pg_server.admin_url, bin_dir=bin_dir)
    assert result.ok, result.checks
    names = [c.name for c in result.checks]
    assert names[-4:] == ["restore", "schema", "row counts", "checksums"]
    assert result.checks[names.index("schema")].detail == "matches"
    assert store.get(SID).status == SnapshotStatus.RESTORE_VERIFIED
    assert scratch_databases(pg_server) == []
    # A later quick verify does not demote it.
    assert (
        verify(store, store.get(SID), bin_dir=bin_dir).snapshot.status
        == SnapshotStatus.RESTORE_VERIFIED
    )


def test_restore_detects_a_tampered_recorded_checksum(
    full: Snapshot, store: LocalStore, bin_dir: Path | None, pg_server: PgServer
) -> None:
    tampered = replace(full, table_checksums={**full.table_checksums, "public.items": "0" * 64})
    store.update(tampered)
    result = verify(store, tampered, restore=True, admin_url=pg_server.admin_url, bin_dir=bin_dir)
    failed = [c for c in result.checks if not c.ok]
    assert [c.name for c in failed] == ["checksums"]
    assert "public.items" in failed[0].detail
    assert store.get(SID).status == SnapshotStatus.FAILED
    assert scratch_databases(pg_server) == []


def test_restore_detects_a_tampered_schema_fingerprint_and_row_count(
    full: Snapshot, store: LocalStore, bin_dir: Path | None, pg_server: PgServer
) -> None:
    tampered = replace(
        full, schema_fingerprint="f" * 64, row_counts={**full.row_counts, "app.orders": 7}
    )
    store.update(tampered)
    result = verify(store, tampered, restore=True, admin_url=pg_server.admin_url, bin_dir=bin_dir)
    failed = {c.name for c in result.checks if not c.ok}
    assert failed == {"schema", "row counts"}


def test_restore_verify_of_a_tables_snapshot(
    seeded_url: str, store: LocalStore, bin_dir: Path | None, pg_server: PgServer
) -> None:
    """orders' foreign key points at a table the snapshot does not hold: still verifiable."""
    snap = dump(seeded_url, store, tables=["app.orders"], snapshot_id=SID, bin_dir=bin_dir)
    result = verify(store, snap, restore=True, admin_url=pg_server.admin_url, bin_dir=bin_dir)
    assert result.ok, result.checks
    assert store.get(SID).status == SnapshotStatus.RESTORE_VERIFIED


def test_environment_problems_raise_and_leave_the_status_alone(
    full: Snapshot, store: LocalStore, tmp_path: Path
) -> None:
    with pytest.raises(SnapshotToolError):
        verify(store, full, bin_dir=tmp_path)  # no pg_restore there
    assert store.get(SID).status == full.status


def test_restore_needs_a_user_who_may_create_databases(
    full: Snapshot, store: LocalStore, bin_dir: Path | None, pg_server: PgServer
) -> None:
    with pg_server.connect() as conn:
        conn.execute("DROP ROLE IF EXISTS migsafe_weak")
        conn.execute("CREATE ROLE migsafe_weak LOGIN PASSWORD 'weak-pw'")
    try:
        weak = pg_server.admin_url.replace(
            f"{pg_server.user}:{pg_server.password}@", "migsafe_weak:weak-pw@"
        )
        with pytest.raises(SnapshotError, match="cannot create a scratch database") as err:
            verify(store, full, restore=True, admin_url=weak, bin_dir=bin_dir)
        assert "weak-pw" not in str(err.value)
        assert err.value.hint and "CREATE DATABASE" in err.value.hint
        assert store.get(SID).status == full.status
    finally:
        with pg_server.connect() as conn, contextlib.suppress(psycopg.Error):
            conn.execute("DROP ROLE migsafe_weak")


RICH = [
    "CREATE TYPE app.mood AS ENUM ('happy', 'sad')",
    "CREATE TABLE app.people (id serial PRIMARY KEY, mood app.mood, born date, tags text[])",
    "INSERT INTO app.people (mood, born, tags) VALUES ('happy', '2000-01-02', '{a,b}')",
    "CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS"
    " $$ BEGIN NEW.name := lower(NEW.name); RETURN NEW; END $$",
    "CREATE TRIGGER items_touch BEFORE INSERT ON public.items"
    " FOR EACH ROW EXECUTE FUNCTION public.touch()",
    "CREATE INDEX items_name_idx ON public.items (lower(name))",
    "CREATE MATERIALIZED VIEW app.mood_counts AS SELECT mood, count(*) FROM app.people GROUP BY 1",
    "COMMENT ON TABLE public.items IS 'things we sell'",
    "CREATE TABLE public.events (id int, at date NOT NULL) PARTITION BY RANGE (at)",
    "CREATE TABLE public.events_2025 PARTITION OF public.events"
    " FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
    "CREATE TABLE public.events_2026 PARTITION OF public.events"
    " FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')",
    "INSERT INTO public.events VALUES (1, '2025-05-05'), (2, '2026-06-06'), (3, '2026-07-07')",
]


def test_restore_round_trip_of_a_richer_schema(
    seeded_url: str,
    store: LocalStore,
    bin_dir: Path | None,
    pg_server: PgServer,
    sql: Callable[..., None],
) -> None:
    """Types, functions, triggers, expression indexes, matviews, comments, partitions."""
    sql(seeded_url, *RICH)
    snap = dump(seeded_url, store, snapshot_id=SID, bin_dir=bin_dir)
    assert {"public.events", "public.events_2025", "public.events_2026"} <= set(snap.tables)
    assert "public.events" not in snap.row_counts  # a partitioned parent holds no rows itself
    result = verify(store, snap, restore=True, admin_url=pg_server.admin_url, bin_dir=bin_dir)
    assert result.ok, result.checks


def test_tables_snapshot_of_a_partitioned_table_and_a_table_with_a_trigger(
    seeded_url: str,
    store: LocalStore,
    bin_dir: Path | None,
    pg_server: PgServer,
    sql: Callable[..., None],
) -> None:
    sql(seeded_url, *RICH)
    snap = dump(seeded_url, store, tables=["events", "items"], snapshot_id=SID, bin_dir=bin_dir)
    assert snap.tables == (
        "public.events",
        "public.events_2025",
        "public.events_2026",
        "public.items",
    )
    assert dict(snap.row_counts) == {
        "public.events_2025": 1,
        "public.events_2026": 2,
        "public.items": 3,
    }
    result = verify(store, snap, restore=True, admin_url=pg_server.admin_url, bin_dir=bin_dir)
    assert result.ok, result.checks


def test_restore_without_admin_url_uses_the_recorded_server_and_libpq_password(
    full: Snapshot,
    store: LocalStore,
    bin_dir: Path | None,
    pg_server: PgServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The catalog holds a redacted URL: libpq finds the password (PGPASSWORD, ~/.pgpass)."""
    monkeypatch.setenv("PGPASSWORD", pg_server.password)
    result = verify(store, full, restore=True, bin_dir=bin_dir)
    assert result.ok, result.checks
