"""A snapshot restore never rolls back the kill switch, its audit or migsafe's bookkeeping.

The race from issue 9, made deterministic: an operator runs ``migsafe flags disable checkout``
while ``upgrade --backup`` is running; the upgrade then fails after a non-transactional step
and the pre-backup guard restores its snapshot. The flag must still be off afterwards, its
audit row still there, the history and the archive (data reverse scripts keep) intact, and
the application's tables exactly as before the run: the snapshot is the application's data,
not migsafe's own. The flags notify trigger ``flags init`` put on the version table must be
there again, so that the kill switch still reaches every process at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import psycopg
import pytest

from migsafe.db.fingerprint import Fingerprint, fingerprint
from migsafe.snapshots.kept import LEFT_AS_THEY_ARE

if TYPE_CHECKING:
    from tests.engine.conftest import Db, MiniProject

LOCK_KEY = 4242
KEPT = ("migsafe", "migsafe_flags", "migsafe_archive")

CREATE_ORDERS = """
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("total", sa.Integer, nullable=False),
    )
    op.execute("INSERT INTO orders (id, total) VALUES (1, 10), (2, 20)")
"""
# Transactional, committed before r3 runs; the dropped column's values go to the archive.
CHANGE_SEED = """
    op.add_column("seed", sa.Column("extra", sa.Integer))
    op.execute("UPDATE seed SET extra = id * 2")
    op.drop_column("seed", "note")
    op.execute("UPDATE orders SET total = total + 1")
"""
# Outside any transaction: waits for the test's lock (the operator acts meanwhile), then fails.
BLOCK_THEN_FAIL = f"""
    with op.get_context().autocommit_block():
        op.execute("SET lock_timeout = 0")
        op.execute("SELECT pg_advisory_lock({LOCK_KEY})")
        op.execute("SELECT pg_advisory_unlock({LOCK_KEY})")
        op.execute("SELECT 1 / 0")
"""


def _app_fingerprint(db: Db) -> Fingerprint:
    """The application's schema and data: everything but migsafe's own schemas."""
    with db.engine() as engine, engine.connect() as conn:
        return fingerprint(conn, exclude_schemas=KEPT)


def _ok(project: MiniProject, db: Db, *args: str) -> Any:
    proc = project.run(db.url, *args, "--format", "json")
    assert proc.returncode == 0, project.explain(proc)
    return json.loads(proc.stdout)


def _trigger_on_version_table(db: Db) -> bool:
    return bool(
        db.scalar(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'public.alembic_version'::regclass"
            " AND tgfoid = 'migsafe_flags.notify_schema_changed()'::regprocedure"
        )
    )


def _archives(db: Db) -> list[str]:
    return [
        r[0]
        for r in db.rows(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'migsafe_archive' ORDER BY 1"
        )
    ]


@pytest.mark.parametrize("mode", ["full", "tables"])
def test_kill_switch_thrown_during_a_failed_backup_run_survives_the_restore(
    project: MiniProject,
    pg_db: Db,
    pg_connect: Callable[..., psycopg.Connection[Any]],
    processes: list[Any],
    mode: str,
) -> None:
    project.add("r1", CREATE_ORDERS, 'op.drop_table("orders")')
    assert project.upgrade(pg_db.url).returncode == 0
    assert _ok(project, pg_db, "flags", "init")["trigger"] == "installed"
    _ok(project, pg_db, "flags", "create", "checkout", "--type", "kill-switch")
    _ok(project, pg_db, "flags", "enable", "checkout", "--reason", "launch")
    before = _app_fingerprint(pg_db)
    runs_before = {(r.run_id, r.status) for r in pg_db.runs()}
    project.add("r2", CHANGE_SEED)
    project.add("r3", BLOCK_THEN_FAIL)

    operator = pg_connect()
    operator.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
    flag = "--backup" if mode == "full" else "--backup=tables"
    upgrade = project.popen(pg_db.url, "upgrade", flag)
    processes.append(upgrade)
    waiting = pg_db.wait_for(
        lambda: pg_db.scalar(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            " AND objid = :key",
            {"key": LOCK_KEY},
        ),
        timeout=120,
    )
    assert waiting, "r3 never reached the lock the test holds"
    disabled = _ok(project, pg_db, "flags", "disable", "checkout", "--reason", "incident")
    assert disabled["changed"] is True
    operator.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
    out, err = upgrade.communicate(timeout=180)

    assert upgrade.returncode == 4, f"exit {upgrade.returncode}\n{out}\n{err}"
    # The kill switch is still thrown, and its audit row is there.
    shown = _ok(project, pg_db, "flags", "show", "checkout")
    assert shown["flag"]["enabled"] is False
    audit = _ok(project, pg_db, "flags", "history", "checkout")["entries"]
    assert [(e["change"], e["reason"]) for e in audit][-1][1] == "incident"
    assert any(e["reason"] == "launch" for e in audit)
    # migsafe's history: nothing lost, the failed run recorded as restored, saying so.
    runs = pg_db.runs()
    assert runs_before <= {(r.run_id, r.status) for r in runs}
    run = runs[0]
    assert run.command == "upgrade" and run.status == "restored", run
    assert run.failed_revision == "r3" and LEFT_AS_THEY_ARE in (run.error or "")
    # The archive r2 wrote (committed before r3 failed) is migsafe's bookkeeping: still there.
    assert any(name.startswith("seed__note__") for name in _archives(pg_db)), _archives(pg_db)
    # The application is exactly as before the run, the notify trigger included.
    assert _trigger_on_version_table(pg_db)
    after = _app_fingerprint(pg_db)
    assert after.tables == before.tables
    assert after.schema == before.schema
    assert pg_db.heads() == ("r1",)
    # The message says what the restore did not touch.
    assert LEFT_AS_THEY_ARE in err, err
    # --backup=tables stays a tables snapshot although `flags init` put a trigger on the
    # version table: migsafe's own trigger writes nothing.
    store = project.root / ".migsafe" / "snapshots"
    (entry,) = [json.loads(p.read_text()) for p in store.glob("*.json")]
    assert entry["mode"] == mode
    assert entry["kept_schemas"] == list(KEPT)
    if mode == "tables":
        assert set(entry["tables"]) == {"public.alembic_version", "public.orders", "public.seed"}


def test_flags_trigger_keeps_tables_mode_but_a_lookalike_user_trigger_forces_full(
    project: MiniProject, pg_db: Db
) -> None:
    """migsafe's own trigger is recognised by its function in the flags schema: a user's
    trigger with the same name, calling a function of the same name elsewhere, is code
    that may write anywhere, and forces a full snapshot."""
    project.add("r1", CREATE_ORDERS, 'op.drop_table("orders")')
    assert project.upgrade(pg_db.url).returncode == 0
    assert _ok(project, pg_db, "flags", "init")["trigger"] == "installed"
    project.add("r2", "op.execute(\"UPDATE seed SET note = 'r2'\")")
    store = project.root / ".migsafe" / "snapshots"

    first = project.upgrade(pg_db.url, "--backup=tables")
    assert first.returncode == 0, project.explain(first)
    (entry,) = [json.loads(p.read_text()) for p in store.glob("*.json")]
    assert entry["mode"] == "tables"
    assert entry["kept_triggers"] == [
        {"schema": "public", "table": "alembic_version", "name": "migsafe_flags_notify"}
    ]

    pg_db.execute(
        "CREATE TABLE audit (at timestamptz DEFAULT now())",
        "CREATE FUNCTION public.notify_schema_changed() RETURNS trigger LANGUAGE plpgsql AS"
        " 'BEGIN INSERT INTO audit DEFAULT VALUES; RETURN NULL; END'",
        "CREATE TRIGGER migsafe_flags_notify AFTER UPDATE ON seed"
        " FOR EACH STATEMENT EXECUTE FUNCTION public.notify_schema_changed()",
    )
    project.add("r3", "op.execute(\"UPDATE seed SET note = 'r3'\")")
    second = project.upgrade(pg_db.url, "--backup=tables")
    assert second.returncode == 0, project.explain(second)
    entries = [json.loads(p.read_text()) for p in store.glob("*.json")]
    (newest,) = [e for e in entries if e["id"] != entry["id"]]
    assert newest["mode"] == "full"
    plan = pg_db.scalar(
        "SELECT plan FROM migsafe.migsafe_history WHERE run_id = :r", {"r": pg_db.last_run().run_id}
    )
    plan = json.loads(plan) if isinstance(plan, str) else plan
    assert any("trigger migsafe_flags_notify on seed" in n for n in plan["notes"]), plan


def test_snapshot_restore_and_revert_from_snapshot_leave_the_flags_as_they_are(
    project: MiniProject, pg_db: Db
) -> None:
    project.add("r1", CREATE_ORDERS, 'op.drop_table("orders")')
    assert project.upgrade(pg_db.url).returncode == 0
    _ok(project, pg_db, "flags", "init")
    _ok(project, pg_db, "flags", "create", "checkout", "--type", "kill-switch")
    _ok(project, pg_db, "flags", "enable", "checkout")
    full = _ok(project, pg_db, "snapshot", "create")
    tables = _ok(
        project,
        pg_db,
        *("snapshot", "create", "--mode", "tables", "-t", "public.orders"),
        *("-t", "public.alembic_version"),
    )
    before = _app_fingerprint(pg_db)
    project.add("r2", 'op.execute("DELETE FROM orders")')
    assert project.upgrade(pg_db.url, "--allow-irreversible").returncode == 0

    for snap, how in ((full, "revert"), (tables, "restore"), (full, "restore")):
        _ok(project, pg_db, "flags", "disable", "checkout", "--reason", f"before {how}")
        args = ("revert", "--from-snapshot") if how == "revert" else ("snapshot", "restore")
        done = _ok(project, pg_db, *args, snap["id"], "--yes")
        assert done["left_as_they_are"]["note"] == LEFT_AS_THEY_ARE
        assert "migsafe_flags" in done["left_as_they_are"]["kept"]
        assert done["recreated_triggers"] == ["public.alembic_version.migsafe_flags_notify"]
        assert _ok(project, pg_db, "flags", "show", "checkout")["flag"]["enabled"] is False
        audit = _ok(project, pg_db, "flags", "history", "checkout")["entries"]
        assert audit[-1]["reason"] == f"before {how}"
        assert _trigger_on_version_table(pg_db)
        assert _app_fingerprint(pg_db).tables == before.tables
        _ok(project, pg_db, "flags", "enable", "checkout")
        again = project.upgrade(pg_db.url, "--allow-irreversible")  # r2, for the next round
        assert again.returncode == 0, project.explain(again)

    text = project.run(pg_db.url, "snapshot", "restore", full["id"], "--yes")
    assert text.returncode == 0, project.explain(text)
    assert f"Not touched: {LEFT_AS_THEY_ARE}" in " ".join(text.stdout.split())


def test_a_snapshot_with_the_flags_trigger_verifies_and_restores_into_a_new_database(
    project: MiniProject, pg_db: Db, pg_server: Any
) -> None:
    """The copy has no flags schema, so the trigger calling into it is left out of it."""
    project.add("r1", CREATE_ORDERS, 'op.drop_table("orders")')
    assert project.upgrade(pg_db.url).returncode == 0
    _ok(project, pg_db, "flags", "init")
    snap = _ok(project, pg_db, "snapshot", "create")
    assert snap["kept_triggers"], snap

    verified = _ok(project, pg_db, "snapshot", "verify", snap["id"], "--restore")
    assert verified["ok"] and verified["snapshot"]["status"] == "restore-verified", verified

    copy = f"{pg_db.url.rsplit('/', 1)[1]}_copy"
    try:
        done = _ok(project, pg_db, "snapshot", "restore", snap["id"], "--into", copy)
        assert done["not_in_copy"] == list(KEPT)
        assert done["dropped_triggers"] == ["public.alembic_version.migsafe_flags_notify"]
        with pg_server.connect(copy) as conn:
            assert conn.execute("SELECT count(*) FROM orders").fetchone() == (2,)
            assert conn.execute("SELECT to_regnamespace('migsafe_flags')").fetchone() == (None,)
    finally:
        pg_server.drop_database(copy)


def test_sqlite_restore_keeps_the_archive_and_the_history(
    project: MiniProject, sqlite_db: Db
) -> None:
    created = _ok(project, sqlite_db, "snapshot", "create")
    project.add("r1", 'op.drop_column("seed", "note")')
    assert project.upgrade(sqlite_db.url).returncode == 0
    archived = sqlite_db.rows(
        "SELECT name FROM sqlite_master WHERE name LIKE 'migsafe_archive%' ORDER BY name"
    )
    assert archived, "the drop_column kept no archive"
    runs = {(r.run_id, r.status) for r in sqlite_db.runs()}

    done = _ok(project, sqlite_db, "revert", "--from-snapshot", created["id"], "--yes")

    assert done["left_as_they_are"]["note"] == LEFT_AS_THEY_ARE
    assert "note" in sqlite_db.columns("seed")
    assert (
        sqlite_db.rows(
            "SELECT name FROM sqlite_master WHERE name LIKE 'migsafe_archive%' ORDER BY name"
        )
        == archived
    )
    assert runs <= {(r.run_id, r.status) for r in sqlite_db.runs()}
