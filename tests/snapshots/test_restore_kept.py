"""What a restore keeps: migsafe's own schemas, and what ties them to the application's tables.

Snapshots are taken with the real :func:`~migsafe.snapshots.pgdump.dump` (which leaves
migsafe's schemas out and records the triggers calling into them) and restored with the
real :func:`~migsafe.snapshots.restore.restore`. The flags are made with the flags library
itself (``ensure_tables`` creates them and puts the notify trigger on the version table).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from flags.backends.postgres import create_feature, ensure_tables, set_feature_enabled
from migsafe.db.fingerprint import Fingerprint, data_fingerprint, fingerprint
from migsafe.errors import SnapshotError
from migsafe.snapshots.kept import DEFAULT_KEPT_SCHEMAS
from migsafe.snapshots.model import KeptTrigger, Snapshot
from migsafe.snapshots.pgdump import dump
from migsafe.snapshots.restore import restore
from migsafe.snapshots.store import LocalStore
from tests.support.pg import PgServer

APP = """
CREATE TYPE public.mood AS ENUM ('ok', 'meh');
CREATE TABLE public.alembic_version (version_num varchar(32) PRIMARY KEY);
INSERT INTO public.alembic_version VALUES ('r1');
CREATE TABLE public.accounts (id int PRIMARY KEY, email text NOT NULL);
INSERT INTO public.accounts SELECT i, 'user' || i FROM generate_series(1, 20) i;
CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS
    'BEGIN NEW.email := lower(NEW.email); RETURN NEW; END';
CREATE SCHEMA migsafe;
CREATE TABLE migsafe.migsafe_history (run_id text PRIMARY KEY);
INSERT INTO migsafe.migsafe_history VALUES ('before');
"""
FLAGS_TRIGGER = KeptTrigger("public", "alembic_version", "migsafe_flags_notify")


class Db:
    def __init__(self, server: PgServer, url: str) -> None:
        self.server, self.url = server, url
        self.name = str(make_url(url).database)

    def sql(self, statement: str, params: Any = None) -> list[tuple[Any, ...]]:
        with self.server.connect(self.name) as conn:
            cur = conn.execute(statement.encode(), params)
            return cur.fetchall() if cur.description else []

    def connect(self) -> psycopg.Connection[Any]:
        return self.server.connect(self.name)

    def app(self) -> Fingerprint:
        """The application's schema and data, migsafe's schemas left out."""
        return self._fp(exclude_schemas=DEFAULT_KEPT_SCHEMAS)

    def kept(self) -> dict[str, str]:
        """Every row of migsafe's own schemas, hashed per table."""
        engine = sa.create_engine(self.url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                hashes, _ = data_fingerprint(conn, exclude_schemas=())
        finally:
            engine.dispose()
        return {k: v for k, v in hashes.items() if k.split(".")[0] in DEFAULT_KEPT_SCHEMAS}

    def _fp(self, **kw: Any) -> Fingerprint:
        engine = sa.create_engine(self.url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                return fingerprint(conn, **kw)
        finally:
            engine.dispose()

    def flags_trigger(self) -> bool:
        return bool(
            self.sql(
                "SELECT 1 FROM pg_trigger WHERE tgrelid = 'public.alembic_version'::regclass"
                " AND tgfoid = 'migsafe_flags.notify_schema_changed()'::regprocedure"
            )
        )


@pytest.fixture
def db(pg_server: PgServer, pg_url: str) -> Db:
    d = Db(pg_server, pg_url)
    d.sql(APP)
    return d


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "snapshots")


def _flags(db: Db, *, enabled: bool) -> None:
    with db.connect() as conn:
        ensure_tables(conn)  # also puts the notify trigger on public.alembic_version
        if not conn.execute("SELECT 1 FROM migsafe_flags.features").fetchall():
            feature = {"name": "checkout", "enabled": True, "strategies": []}
            create_feature(conn, feature, actor="ops", reason="launch")
        set_feature_enabled(conn, "checkout", enabled, actor="ops", reason="incident")


def _snap(db: Db, store: LocalStore, sid: str, **kw: Any) -> Snapshot:
    return dump(db.url, store, snapshot_id=sid, bin_dir=db.server.bin_dir, **kw)


def _restore(db: Db, store: LocalStore, snap: Snapshot, **kw: Any) -> Any:
    return restore(
        db.url,
        store.local_path(snap),
        mode=snap.mode,
        tables=snap.tables,
        kept_triggers=snap.kept_triggers,
        bin_dir=db.server.bin_dir,
        **kw,
    )


def test_full_restore_keeps_flags_history_and_the_notify_trigger_the_dump_lacks(
    db: Db, store: LocalStore
) -> None:
    """Snapshot taken before `flags init`: the trigger is not in the dump, but it is live
    now, and the restore of the version table must not lose it."""
    before = db.app()
    snap = _snap(db, store, "before-flags")
    assert snap.kept_schemas == DEFAULT_KEPT_SCHEMAS and snap.kept_triggers == ()
    _flags(db, enabled=False)
    db.sql("INSERT INTO migsafe.migsafe_history VALUES ('after')")
    db.sql("UPDATE public.accounts SET email = 'changed'")
    db.sql("UPDATE public.alembic_version SET version_num = 'r2'")
    kept = db.kept()

    result = _restore(db, store, snap)

    assert db.kept() == kept  # flags, their audit, the history: as they were
    assert db.sql("SELECT definition->>'enabled' FROM migsafe_flags.features") == [("false",)]
    assert db.flags_trigger()
    assert result.recreated_triggers == ("public.alembic_version.migsafe_flags_notify",)
    assert result.kept_schemas == ("migsafe", "migsafe_flags")  # no archive schema here
    assert "migsafe_flags" not in result.dropped_schemas
    after = db.app()
    assert after.tables == before.tables
    # The live trigger is back; the snapshot's schema had none.
    assert after.schema != before.schema


def test_a_dump_taken_after_flags_init_records_the_trigger_and_restores_into_a_copy_without_it(
    db: Db, store: LocalStore, pg_server: PgServer
) -> None:
    _flags(db, enabled=True)
    snap = _snap(db, store, "with-flags")
    assert snap.kept_triggers == (FLAGS_TRIGGER,)
    copy = f"{db.name}_copy"
    try:
        result = _restore(db, store, snap, into=copy)
        with pg_server.connect(copy) as conn:
            schemas = conn.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'migsafe%'"
            ).fetchall()
            triggers = conn.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
            assert schemas == [] and triggers.fetchall() == []
            assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("r1",)]
        assert result.dropped_triggers == ("public.alembic_version.migsafe_flags_notify",)
    finally:
        pg_server.drop_database(copy)


def test_an_old_full_dump_holding_the_flags_schema_is_refused_in_place(
    db: Db, tmp_path: Path
) -> None:
    """Snapshots taken before migsafe left its schemas out hold the flags: restoring one in
    place would throw the kill switch back; it is refused, and nothing changes."""
    _flags(db, enabled=True)
    old = tmp_path / "old.dump"
    pg_dump = str(db.server.bin_dir / "pg_dump") if db.server.bin_dir else shutil.which("pg_dump")
    assert pg_dump
    subprocess.run(
        [pg_dump, "-Fc", "--exclude-schema=migsafe", "-f", str(old), db.server.conninfo(db.name)],
        check=True,
        capture_output=True,
    )
    _flags(db, enabled=False)
    before, kept = db.app(), db.kept()

    with pytest.raises(SnapshotError, match="holds schema migsafe_flags") as info:
        restore(db.url, old, mode="full", tables=(), bin_dir=db.server.bin_dir)

    assert "--into" in (info.value.hint or "")
    assert db.app() == before and db.kept() == kept


def test_an_archived_tables_foreign_key_and_trigger_outlive_a_full_restore(
    db: Db, store: LocalStore
) -> None:
    """A table a reverse script moved into the archive keeps its foreign key into a live
    table and its trigger: DROP SCHEMA public CASCADE must not take them (or its rows)."""
    db.sql(
        "CREATE TABLE public.notes (id int PRIMARY KEY, account_id int REFERENCES public.accounts,"
        " email text);"
        "CREATE TRIGGER notes_touch BEFORE INSERT ON public.notes"
        " FOR EACH ROW EXECUTE FUNCTION public.touch();"
        "INSERT INTO public.notes VALUES (1, 1, 'A'), (2, 2, 'B')"
    )
    snap = _snap(db, store, "before-drop")
    db.sql("CREATE SCHEMA migsafe_archive; ALTER TABLE public.notes SET SCHEMA migsafe_archive")
    db.sql("ALTER TABLE migsafe_archive.notes RENAME TO notes__abc")
    kept = db.kept()

    result = _restore(db, store, snap)

    assert db.kept() == kept
    fk = db.sql(
        "SELECT conname, convalidated FROM pg_constraint"
        " WHERE conrelid = 'migsafe_archive.notes__abc'::regclass AND contype = 'f'"
    )
    assert fk == [("notes_account_id_fkey", False)]  # back, NOT VALID
    trigger = (
        "SELECT tgname FROM pg_trigger"
        " WHERE tgrelid = 'migsafe_archive.notes__abc'::regclass AND NOT tgisinternal"
    )
    assert db.sql(trigger) == [("notes_touch",)]
    assert "migsafe_archive.notes__abc.notes_account_id_fkey" in result.readded_foreign_keys
    assert "migsafe_archive.notes__abc.notes_touch" in result.recreated_triggers
    assert db.sql("SELECT count(*) FROM public.notes") == [(2,)]  # the snapshot's table too


def test_an_archived_column_of_a_type_the_restore_drops_is_refused(
    db: Db, store: LocalStore
) -> None:
    db.sql("CREATE TABLE public.feelings (id int PRIMARY KEY, how public.mood)")
    db.sql("INSERT INTO public.feelings VALUES (1, 'meh')")
    snap = _snap(db, store, "typed")
    db.sql("CREATE SCHEMA migsafe_archive; ALTER TABLE public.feelings SET SCHEMA migsafe_archive")
    before, kept = db.app(), db.kept()

    with pytest.raises(SnapshotError, match="what migsafe keeps") as info:
        _restore(db, store, snap)

    assert "column how of table migsafe_archive.feelings depends on type public.mood" in (
        info.value.message
    )
    assert db.app() == before and db.kept() == kept


def test_tables_restore_keeps_flags_and_readds_an_archive_foreign_key_not_valid(
    db: Db, store: LocalStore
) -> None:
    """An archived row may point at a row the snapshot lacks: its foreign key comes back
    NOT VALID rather than failing the restore of the application's tables."""
    db.sql(
        "CREATE SCHEMA migsafe_archive;"
        "CREATE TABLE migsafe_archive.notes__abc (id int, account_id int"
        " REFERENCES public.accounts);"
    )
    _flags(db, enabled=True)
    snap = _snap(db, store, "tables", tables=["public.accounts", "public.alembic_version"])
    assert snap.kept_triggers == (FLAGS_TRIGGER,)
    db.sql("INSERT INTO public.accounts VALUES (99, 'late')")
    db.sql("INSERT INTO migsafe_archive.notes__abc VALUES (1, 99)")
    _flags(db, enabled=False)
    kept = db.kept()

    result = _restore(db, store, snap)

    assert db.kept() == kept
    assert db.flags_trigger()
    assert result.recreated_triggers == ("public.alembic_version.migsafe_flags_notify",)
    assert result.readded_foreign_keys == ("migsafe_archive.notes__abc.notes__abc_account_id_fkey",)
    assert db.sql("SELECT count(*) FROM public.accounts") == [(20,)]
