"""pg_dump snapshots: what they hold, what they record, and what they never leak or leave."""

from __future__ import annotations

import os
import resource
import signal
import stat
import subprocess
import tempfile
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from migsafe.db.fingerprint import fingerprint
from migsafe.errors import (
    ExitCode,
    SnapshotError,
    SnapshotStoreError,
    SnapshotToolError,
    UsageError,
)
from migsafe.snapshots.model import SnapshotMode, SnapshotStatus
from migsafe.snapshots.pgdump import dump, sha256_file
from migsafe.snapshots.pgtools import libpq_invocation, parse_version, require_tools, scrub
from migsafe.snapshots.store import LocalStore

SID = "20261126T114811Z-3f2c9a"


def toc(bin_dir: Path | None, path: Path) -> list[str]:
    exe = str(bin_dir / "pg_restore") if bin_dir else "pg_restore"
    out = subprocess.run([exe, "--list", str(path)], capture_output=True, text=True, check=True)
    return [line.split(" ", 3)[3] for line in out.stdout.splitlines() if line[:1].isdigit()]


def live_fingerprint(url: str, **kw: Any) -> Any:
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return fingerprint(conn, **kw)
    finally:
        engine.dispose()


def test_full_dump_registers_a_complete_entry(
    seeded_url: str, store: LocalStore, bin_dir: Path | None
) -> None:
    snap = dump(
        seeded_url,
        store,
        snapshot_id=SID,
        run_id="run1",
        revisions=("abc123",),
        bin_dir=bin_dir,
    )
    path = store.local_path(snap)
    assert store.list() == [snap]
    assert (snap.id, snap.backend, snap.mode, snap.status) == (
        SID,
        "postgresql",
        SnapshotMode.FULL,
        SnapshotStatus.UNVERIFIED,
    )
    assert snap.tables == ("app.orders", "public.Mixed Case", "public.items")
    assert (snap.revisions, snap.run_id, snap.compression) == (("abc123",), "run1", 1)
    password = make_url(seeded_url).password
    assert password and "***" in snap.database and password not in snap.database
    assert (snap.size, snap.sha256) == (path.stat().st_size, sha256_file(path))
    assert snap.tool_version and snap.tool_version.startswith("pg_dump (PostgreSQL) ")
    assert snap.server_version and parse_version(snap.server_version) >= 100000
    live = live_fingerprint(seeded_url)
    assert snap.schema_fingerprint == live.schema
    assert dict(snap.table_checksums) == dict(live.tables)
    assert dict(snap.row_counts) == {"app.orders": 2, "public.Mixed Case": 1, "public.items": 3}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.root.stat().st_mode) == 0o700
    entries = toc(bin_dir, path)
    assert not [e for e in entries if " migsafe " in f" {e} "]  # migsafe's schema left out
    assert "TABLE DATA public Mixed Case" in "\n".join(entries)


def test_tables_dump_holds_those_tables_and_their_owned_sequences(
    seeded_url: str, store: LocalStore, bin_dir: Path | None
) -> None:
    snap = dump(seeded_url, store, tables=["items", "app.orders"], snapshot_id=SID, bin_dir=bin_dir)
    assert snap.mode == SnapshotMode.TABLES
    assert snap.tables == ("app.orders", "public.items")
    assert dict(snap.row_counts) == {"app.orders": 2, "public.items": 3}
    entries = toc(bin_dir, store.local_path(snap))
    kinds = {e.rsplit(" ", 1)[0] for e in entries}
    assert {
        "TABLE public items",
        "TABLE DATA public items",
        "SEQUENCE SET public items_id_seq",  # serial
        "SEQUENCE SET app orders_id_seq",  # identity
        "TABLE DATA app orders",
    } <= kinds
    assert not [k for k in kinds if "Mixed Case" in k or "item_names" in k]


def test_unknown_table_is_refused_before_anything_is_written(
    seeded_url: str, store: LocalStore, bin_dir: Path | None
) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        dump(seeded_url, store, tables=["public.nope"], snapshot_id=SID, bin_dir=bin_dir)
    with pytest.raises(UsageError, match="not a table"):
        dump(seeded_url, store, tables=["public.item_names"], snapshot_id=SID, bin_dir=bin_dir)
    assert store.list() == []


def test_password_reaches_pg_dump_in_its_own_environment_only(
    big_url: str,
    store: LocalStore,
    bin_dir: Path | None,
    spy: Callable[[str], list[Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Not on argv (``ps`` shows it to everyone), not in a file: PGPASSWORD, owner-readable.

    An inherited PGPASSWORD (wrong here) and MIGSAFE_DATABASE_URL are not passed on.
    """
    password = make_url(big_url).password
    assert password
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    monkeypatch.setenv("PGPASSWORD", "inherited-and-wrong")
    monkeypatch.setenv("MIGSAFE_DATABASE_URL", big_url)
    seen = []

    def progress(size: int) -> None:
        for child in spy("pg_dump"):
            mode = stat.S_IMODE(os.stat(f"/proc/{child.pid}/environ").st_mode)
            seen.append((child, mode, sorted(p.name for p in temp.iterdir())))

    dump(big_url, store, snapshot_id=SID, progress=progress, bin_dir=bin_dir)
    assert seen, "pg_dump was never observed running"
    for child, mode, temp_files in seen:
        assert "--dbname=" in child.cmdline
        assert password not in child.cmdline
        assert child.environ["PGPASSWORD"] == password
        assert mode == 0o400  # /proc/<pid>/environ: its owner (and root) only
        assert "PGPASSFILE" not in child.environ
        assert "MIGSAFE_DATABASE_URL" not in child.environ
        assert password not in "".join(v for k, v in child.environ.items() if k != "PGPASSWORD")
        assert not [f for f in temp_files if f.endswith(".pgpass")]


def test_recorded_state_is_the_dumped_state_despite_concurrent_writes(
    seeded_url: str, store: LocalStore, bin_dir: Path | None, sql: Callable[..., None]
) -> None:
    """Rows committed while pg_dump runs are neither dumped nor recorded."""
    calls: list[int] = []

    def progress(size: int) -> None:
        if not calls:
            sql(seeded_url, "INSERT INTO public.items (name) VALUES ('late')")
        calls.append(size)

    snap = dump(seeded_url, store, snapshot_id=SID, progress=progress, bin_dir=bin_dir)
    assert snap.row_counts["public.items"] == 3
    assert live_fingerprint(seeded_url).row_counts["public.items"] == 4
    assert calls[-1] == snap.size  # the last report is the finished file


def test_pg_dump_killed_mid_dump_registers_nothing(
    big_url: str, store: LocalStore, bin_dir: Path | None, spy: Callable[[str], list[Any]]
) -> None:
    def progress(size: int) -> None:
        for child in spy("pg_dump"):
            os.kill(child.pid, signal.SIGKILL)

    with pytest.raises(SnapshotError, match="SIGKILL"):
        dump(big_url, store, snapshot_id=SID, progress=progress, bin_dir=bin_dir)
    assert store.list() == []
    assert list(store.root.iterdir()) == []


def test_exception_from_progress_stops_pg_dump(
    big_url: str, store: LocalStore, bin_dir: Path | None
) -> None:
    class Cancelled(Exception):
        pass

    def progress(size: int) -> None:
        raise Cancelled

    with pytest.raises(Cancelled):
        dump(big_url, store, snapshot_id=SID, progress=progress, bin_dir=bin_dir)
    assert list(store.root.iterdir()) == []


def test_file_size_limit_hit_registers_nothing(
    big_url: str, store: LocalStore, bin_dir: Path | None
) -> None:
    """A disk that fills up mid-dump (simulated with RLIMIT_FSIZE, inherited by pg_dump)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, hard))
    try:
        with pytest.raises(SnapshotStoreError, match="not writable") as err:
            dump(big_url, store, snapshot_id=SID, bin_dir=bin_dir)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert err.value.exit_code == ExitCode.UNAVAILABLE
    assert store.list() == []
    assert list(store.root.iterdir()) == []


def test_full_disk_registers_nothing(
    big_url: str, bin_dir: Path | None, tmpfs: Callable[..., Path]
) -> None:
    store = LocalStore(tmpfs("128k") / "snapshots")
    with pytest.raises(SnapshotStoreError, match="No space left") as err:
        dump(big_url, store, snapshot_id=SID, bin_dir=bin_dir)
    assert err.value.exit_code == ExitCode.UNAVAILABLE
    assert list(store.root.iterdir()) == []


def test_unwritable_store_fails_before_pg_dump_runs(
    seeded_url: str, tmp_path: Path, bin_dir: Path | None
) -> None:
    (tmp_path / "file").write_text("")
    store = LocalStore(tmp_path / "file" / "snapshots")
    with pytest.raises(SnapshotStoreError, match="not writable"):
        dump(seeded_url, store, snapshot_id=SID, bin_dir=bin_dir)


def test_wrong_password_is_reported_without_it(
    seeded_url: str, store: LocalStore, bin_dir: Path | None
) -> None:
    url = make_url(seeded_url).set(password="not-the-password-xyz")
    with pytest.raises(Exception) as err:
        dump(url.render_as_string(hide_password=False), store, snapshot_id=SID, bin_dir=bin_dir)
    assert "not-the-password-xyz" not in str(err.value)
    assert store.list() == []


# -- tools and libpq ---------------------------------------------------------------------------


def fake_tool(directory: Path, name: str, version: str) -> None:
    directory.mkdir(exist_ok=True)
    script = directory / name
    script.write_text(f"#!/bin/sh\necho '{name} (PostgreSQL) {version}'\n")
    script.chmod(0o755)


def test_tool_older_than_the_server_is_refused(tmp_path: Path) -> None:
    fake_tool(tmp_path / "bin", "pg_dump", "14.9")
    with pytest.raises(SnapshotToolError) as err:
        require_tools(150004, ("pg_dump",), bin_dir=tmp_path / "bin")
    assert err.value.message == (
        "pg_dump 14 cannot dump a PostgreSQL 15 server; install postgresql-client-15 or newer"
    )
    assert err.value.hint and "postgresql-client-15" in err.value.hint


def test_missing_tool_has_an_install_hint(tmp_path: Path) -> None:
    with pytest.raises(SnapshotToolError, match="pg_restore not found") as err:
        require_tools(160002, ("pg_restore",), bin_dir=tmp_path)
    assert err.value.hint and "postgresql-client-16" in err.value.hint


def test_newer_tool_is_accepted(tmp_path: Path) -> None:
    fake_tool(tmp_path / "bin", "psql", "17.2 (Debian 17.2-1)")
    tool = require_tools(150004, ("psql",), bin_dir=tmp_path / "bin")["psql"]
    assert (tool.major, tool.version_num) == ("17", 170002)


@pytest.mark.parametrize(
    ("text", "num"),
    [
        ("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)", 150018),
        ("pg_dump (PostgreSQL) 17beta1", 170000),
        ("pg_dump (PostgreSQL) 9.6.24", 90624),
        ("15.18 (Debian 15.18-0+deb12u1)", 150018),
        ("nonsense", 0),
    ],
    ids=["debian", "beta", "pre-10", "server", "garbage"],
)
def test_parse_version(text: str, num: int) -> None:
    assert parse_version(text) == num


def test_libpq_invocation_gives_the_password_in_the_environment_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PGPASSWORD", "inherited")
    monkeypatch.setenv("PGSSLMODE", "verify-full")
    url = "postgresql+psycopg://app:s3cr:t\\pw%0Aline@db.example:6543/shop?sslmode=require"
    with libpq_invocation(url) as (conninfo, env):
        assert "s3cr" not in conninfo
        assert "sslmode=require" in conninfo and "port=6543" in conninfo
        assert env["PGPASSWORD"] == "s3cr:t\\pw\nline"  # a line break is fine in a variable
        assert env["PGSSLMODE"] == "verify-full"
        assert "PGPASSFILE" not in env


def test_libpq_invocation_without_password_leaves_libpq_its_own_sources(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """No password in the URL: the user's PGPASSFILE (or ~/.pgpass) and PGPASSWORD work."""
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "my.pgpass"))
    monkeypatch.setenv("PGPASSWORD", "from-the-user")
    with libpq_invocation("postgresql://app@db/shop") as (conninfo, env):
        assert env["PGPASSFILE"] == str(tmp_path / "my.pgpass")
        assert env["PGPASSWORD"] == "from-the-user"
        assert "dbname=shop" in conninfo


SPECIAL = "p@ss/w:rd%41#f?q&k=v +x 'a' \"b\" c\\d ünï€"


@pytest.mark.parametrize(
    "spelled",
    [
        SPECIAL,
        urllib.parse.quote(SPECIAL, safe=""),
        urllib.parse.quote(SPECIAL, safe="").lower(),
        urllib.parse.quote_plus(SPECIAL, safe=""),
        urllib.parse.quote(SPECIAL),
        SPECIAL.replace("\\", "\\\\").replace("'", "\\'"),
    ],
    ids=["raw", "encoded", "encoded-lowercase", "plus-for-space", "slash-kept", "conninfo"],
)
def test_scrub_hides_the_password_however_it_is_written(spelled: str) -> None:
    url = f"postgresql+psycopg://app:{urllib.parse.quote(SPECIAL, safe='')}@db/shop"
    text = f"pg_dump: error: something about {spelled} happened"
    assert scrub(text, url) == "pg_dump: error: something about *** happened"


def test_scrub_hides_a_password_given_as_a_query_parameter() -> None:
    url = "postgresql+psycopg://app@db/shop?password=s3cr%21t"
    assert scrub("saw s3cr!t and s3cr%21t", url) == "saw *** and ***"


def test_a_password_given_as_a_query_parameter_works_and_is_never_recorded(
    seeded_url: str, store: LocalStore, bin_dir: Path | None
) -> None:
    parsed = make_url(seeded_url)
    password = parsed.password
    assert password
    in_query = parsed._replace(password=None).update_query_dict({"password": password})
    url = in_query.render_as_string(hide_password=False)

    snap = dump(url, store, snapshot_id=SID, bin_dir=bin_dir)

    assert "password" not in snap.database
    assert password not in (store.root / f"{SID}.json").read_text()
