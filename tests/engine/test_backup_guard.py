"""The pre-backup guard: with --backup, a failure after a committed step is restored.

A chain whose concurrent index build fails after the earlier steps committed cannot be rolled
back by a transaction; the snapshot taken first brings the database back to exactly where it
was (schema and data fingerprints), exit 4. Faults in the snapshot step stop the upgrade before
it touches the database.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa

if TYPE_CHECKING:
    from tests.engine.conftest import Db, MiniProject

CREATE_T = """
    op.create_table(
        "t",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("v", sa.String(20)),
    )
    op.execute("INSERT INTO t (id, v) VALUES (1, 'a'), (2, 'dup'), (3, 'dup')")
    op.execute("UPDATE seed SET note = 'touched by r1' WHERE id = 1")
"""
CONCURRENT_UNIQUE = """
    with op.get_context().autocommit_block():
        op.create_index("ix_t_v", "t", ["v"], unique=True, postgresql_concurrently=True)
"""
ADD_COLUMN = """
    op.add_column("t", sa.Column("w", sa.Integer))
"""


def _failing_chain(project: MiniProject) -> None:
    project.add("r1", CREATE_T, 'op.drop_table("t")')
    project.add("r2", CONCURRENT_UNIQUE, 'op.drop_index("ix_t_v", table_name="t")')
    project.add("r3", ADD_COLUMN, 'op.drop_column("t", "w")')


def _store(project: MiniProject) -> Path:
    return project.root / ".migsafe" / "snapshots"


def _entries(project: MiniProject) -> list[dict[str, object]]:
    store = _store(project)
    if not store.is_dir():
        return []
    return [json.loads(p.read_text()) for p in sorted(store.glob("*.json"))]


@pytest.mark.parametrize("mode", ["full", "tables"])
def test_failure_after_a_committed_step_is_restored_from_the_snapshot(
    project: MiniProject, pg_db: Db, mode: str
) -> None:
    before = pg_db.fingerprint()
    _failing_chain(project)

    flag = "--backup" if mode == "full" else "--backup=tables"
    proc = project.upgrade(pg_db.url, flag)

    assert proc.returncode == 4, project.explain(proc)
    assert "restored snapshot" in proc.stderr and "as before" in proc.stderr, proc.stderr
    pg_db.assert_unchanged(before)
    assert pg_db.heads() == ()
    run = pg_db.last_run()
    assert run.status == "restored" and run.failed_revision == "r2"
    assert run.snapshot_id
    (entry,) = _entries(project)
    assert entry["id"] == run.snapshot_id
    assert entry["status"] == "verified"
    # A tables snapshot holds what r1 writes to (seed); `t` and the version table did not exist
    # yet: the restore drops them instead.
    if mode == "tables":
        assert entry["mode"] == "tables"
        assert set(entry["tables"]) == {"public.seed"}


@pytest.mark.parametrize("mode", ["full", "tables"])
def test_on_failure_stop_leaves_the_database_and_names_the_restore_command(
    project: MiniProject, pg_db: Db, mode: str
) -> None:
    before = pg_db.fingerprint()
    _failing_chain(project)

    flag = "--backup" if mode == "full" else "--backup=tables"
    proc = project.upgrade(pg_db.url, flag, "--on-failure", "stop")

    assert proc.returncode == 5, project.explain(proc)
    assert pg_db.heads() == ("r1",)
    (entry,) = _entries(project)
    assert f"migsafe snapshot restore {entry['id']}" in proc.stderr, proc.stderr

    restore = project.run(pg_db.url, "snapshot", "restore", str(entry["id"]), "--yes")
    assert restore.returncode == 0, project.explain(restore)
    # The restore by hand also drops what the run created (recorded with a tables snapshot),
    # so the database is exactly as before and the fixed chain can run again.
    pg_db.assert_unchanged(before)
    project.rewrite("r2", 'op.create_index("ix_t_v", "t", ["v"])', 'op.drop_index("ix_t_v")')
    again = project.upgrade(pg_db.url)
    assert again.returncode == 0, project.explain(again)
    assert pg_db.heads() == ("r3",)


def test_an_unwritable_snapshot_directory_refuses_before_touching_the_database(
    project: MiniProject, pg_db: Db
) -> None:
    before = pg_db.fingerprint()
    _failing_chain(project)
    # The store's parent is a regular file: no directory can be made there, even as root.
    (project.root / ".migsafe").write_text("not a directory")

    proc = project.upgrade(pg_db.url, "--backup")

    assert proc.returncode in (2, 3), project.explain(proc)
    assert "Traceback" not in proc.stderr
    assert "snapshot" in proc.stderr.lower()
    pg_db.assert_unchanged(before)
    assert pg_db.heads() == ()
    assert [r for r in pg_db.runs() if r.command == "upgrade"] == []


def test_a_snapshot_file_changed_by_one_byte_fails_verify_and_restore_refuses(
    project: MiniProject, pg_db: Db
) -> None:
    created = project.run(pg_db.url, "snapshot", "create", "--format", "json")
    assert created.returncode == 0, project.explain(created)
    snap = json.loads(created.stdout)
    path = _store(project) / snap["file"]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))

    verify = project.run(pg_db.url, "snapshot", "verify", snap["id"])
    assert verify.returncode == 1, project.explain(verify)
    assert "sha256" in verify.stdout

    before = pg_db.fingerprint()
    restore = project.run(pg_db.url, "snapshot", "restore", snap["id"], "--yes")
    assert restore.returncode != 0, project.explain(restore)
    assert "checksum" in restore.stderr
    pg_db.assert_unchanged(before)


def test_snapshot_files_are_private_and_hold_no_password(project: MiniProject, pg_db: Db) -> None:
    proc = project.upgrade(pg_db.url, "--backup")  # nothing pending: no snapshot needed
    created = project.run(pg_db.url, "snapshot", "create", "--format", "json")
    assert proc.returncode == 0 and created.returncode == 0, project.explain(created)
    store = _store(project)
    assert store.stat().st_mode & 0o777 == 0o700
    files = list(store.iterdir())
    assert files and all(f.stat().st_mode & 0o777 == 0o600 for f in files)
    password = sa.engine.make_url(pg_db.url).password
    assert password
    for f in files:
        assert password.encode() not in f.read_bytes(), f
    history = " ".join(str(r) for r in pg_db.runs())
    assert password not in history
    assert password not in created.stdout + created.stderr


def test_restore_refuses_while_other_sessions_are_connected(
    project: MiniProject, pg_db: Db
) -> None:
    created = project.run(pg_db.url, "snapshot", "create", "--format", "json")
    snap_id = json.loads(created.stdout)["id"]
    with pg_db.engine() as engine, engine.connect() as other:
        other.exec_driver_sql("SELECT 1")
        refused = project.run(pg_db.url, "snapshot", "restore", snap_id, "--yes")
        assert refused.returncode == 2, project.explain(refused)
        assert "other session" in refused.stderr
        assert str(other.exec_driver_sql("SELECT pg_backend_pid()").scalar()) in refused.stderr


def test_revert_from_snapshot_dry_run_changes_nothing(project: MiniProject, pg_db: Db) -> None:
    project.add("r1", CREATE_T, 'op.drop_table("t")')
    created = project.run(pg_db.url, "snapshot", "create", "--format", "json")
    snap_id = json.loads(created.stdout)["id"]
    assert project.upgrade(pg_db.url).returncode == 0
    before = pg_db.fingerprint()
    proc = project.run(pg_db.url, "revert", "--from-snapshot", snap_id, "--dry-run", "--yes")
    assert proc.returncode == 0, project.explain(proc)
    assert "Nothing was changed" in proc.stdout
    pg_db.assert_unchanged(before)
    assert pg_db.heads() == ("r1",)


def test_revert_from_snapshot_goes_back_and_says_what_is_lost(
    project: MiniProject, pg_db: Db
) -> None:
    project.add("r1", CREATE_T, 'op.drop_table("t")')
    created = project.run(pg_db.url, "snapshot", "create", "--format", "json")
    snap_id = json.loads(created.stdout)["id"]
    before = pg_db.fingerprint()
    assert project.upgrade(pg_db.url).returncode == 0
    pg_db.execute("INSERT INTO t (id, v) VALUES (9, 'written after')")

    proc = project.run(pg_db.url, "revert", "--from-snapshot", snap_id, "--yes")

    assert proc.returncode == 0, project.explain(proc)
    assert "are gone" in proc.stdout
    pg_db.assert_unchanged(before)
    assert pg_db.heads() == ()
    assert pg_db.last_run().command == "revert"


def test_snapshot_prune_keeps_the_newest_verified(project: MiniProject, pg_db: Db) -> None:
    ids = []
    for _ in range(3):
        created = project.run(pg_db.url, "snapshot", "create", "--format", "json")
        ids.append(json.loads(created.stdout)["id"])
    dry = project.run(
        pg_db.url, "snapshot", "prune", "--keep", "1", "--dry-run", "--format", "json"
    )
    assert dry.returncode == 0, project.explain(dry)
    assert sorted(json.loads(dry.stdout)["delete"]) == sorted(ids[:2])
    assert len(_entries(project)) == 3
    done = project.run(pg_db.url, "snapshot", "prune", "--keep", "1")
    assert done.returncode == 0, project.explain(done)
    assert [e["id"] for e in _entries(project)] == [ids[2]]


def test_sqlite_backup_restores_too(project: MiniProject, sqlite_db: Db) -> None:
    project.add("r1", CREATE_T, 'op.drop_table("t")')
    created = project.run(sqlite_db.url, "snapshot", "create", "--format", "json")
    assert created.returncode == 0, project.explain(created)
    before = sqlite_db.fingerprint()
    assert project.upgrade(sqlite_db.url, "--backup").returncode == 0
    snap_id = json.loads(created.stdout)["id"]
    proc = project.run(sqlite_db.url, "revert", "--from-snapshot", snap_id, "--yes")
    assert proc.returncode == 0, project.explain(proc)
    sqlite_db.assert_unchanged(before)
    assert [r.command for r in sqlite_db.runs()][:2] == ["revert", "upgrade"]


def test_pg_dump_never_sees_the_password_on_its_command_line(
    project: MiniProject, pg_db: Db, tmp_path: Path
) -> None:
    # A pg_dump wrapper first on PATH records its argv, then runs the real one.
    real = subprocess.run(["which", "pg_dump"], capture_output=True, text=True).stdout.strip()
    log = tmp_path / "argv.log"
    wrapper = tmp_path / "bin" / "pg_dump"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> {log}\nexec {real} "$@"\n')
    wrapper.chmod(0o755)
    env_path = f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}"
    proc = subprocess.run(
        project.argv(pg_db.url, "snapshot", "create"),
        cwd=project.root,
        env={**os.environ, "PATH": env_path},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    recorded = log.read_text()
    password = sa.engine.make_url(pg_db.url).password
    assert password and recorded and password not in recorded


def test_a_custom_history_schema_survives_a_full_restore(project: MiniProject, pg_db: Db) -> None:
    (project.root / "pyproject.toml").write_text('[tool.migsafe]\nschema = "ops"\n')
    project.add("r1", CREATE_T, 'op.drop_table("t")')
    created = project.run(pg_db.url, "snapshot", "create", "--format", "json")
    assert created.returncode == 0, project.explain(created)
    assert project.upgrade(pg_db.url).returncode == 0
    runs_before = pg_db.rows("SELECT run_id, status FROM ops.migsafe_history ORDER BY run_id")

    snap_id = json.loads(created.stdout)["id"]
    proc = project.run(pg_db.url, "snapshot", "restore", snap_id, "--yes")

    assert proc.returncode == 0, project.explain(proc)
    assert pg_db.heads() == ()
    runs_after = pg_db.rows("SELECT run_id, status FROM ops.migsafe_history ORDER BY run_id")
    assert set(runs_before) < set(runs_after)  # nothing lost, the restore itself added


def test_verify_restore_through_the_cli_compares_with_what_was_recorded(
    project: MiniProject, pg_db: Db
) -> None:
    created = project.run(pg_db.url, "snapshot", "create", "--format", "json")
    snap_id = json.loads(created.stdout)["id"]
    proc = project.run(pg_db.url, "snapshot", "verify", snap_id, "--restore", "--format", "json")
    assert proc.returncode == 0, project.explain(proc)
    result = json.loads(proc.stdout)
    assert result["snapshot"]["status"] == "restore-verified"
    assert {c["name"] for c in result["checks"]} >= {"sha256", "schema", "row counts"}
    # the scratch database is gone again
    left = pg_db.scalar("SELECT count(*) FROM pg_database WHERE datname LIKE 'migsafe_verify_%'")
    assert left == 0
