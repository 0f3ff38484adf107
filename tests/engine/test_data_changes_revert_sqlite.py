"""Data migrations on SQLite upgrade without flags and revert exactly (issue 12, item 5).

The SQLite mirror of test_data_changes_revert.py: each case runs one revision that writes rows
of tables that existed before it; TEMP row triggers keep the before-images in archive tables of
the database (reverse/sqlite/rows). The proof, per case: the upgrade needs no --backup or
--allow-irreversible; a row the application inserts after it survives the revert; every other
row is back exactly (data fingerprint); and the revision applies again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.engine.data_changes import (
    COMMON_CASES,
    conflicts_refused_then_kept,
    keyless_conflict_hides_values,
    listed_then_pruned,
    restore_overwrites,
    reverts_exactly,
    stored_archives,
)

if TYPE_CHECKING:
    from conftest import Db, MiniProject

_SERIES = "WITH RECURSIVE g(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM g WHERE g < {n}) "

SETUP = (
    "CREATE TABLE acct (id INTEGER PRIMARY KEY, name TEXT, balance NUMERIC, status TEXT, "
    "raw BLOB, score REAL)",
    _SERIES.format(n=12) + "INSERT INTO acct (name, balance, status, raw, score) "
    "SELECT 'acct ' || g, g * 37.5, CASE WHEN g % 3 = 0 THEN NULL ELSE 'new' END, "
    "randomblob(8), g / 7.0 FROM g",
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, "
    "acct_id INTEGER NOT NULL REFERENCES acct ON DELETE CASCADE, total NUMERIC)",
    _SERIES.format(n=30) + "INSERT INTO orders (acct_id, total) SELECT 1 + g % 12, g * 9.5 FROM g",
    "CREATE TABLE ledger (acct_id INTEGER, amount NUMERIC, note TEXT)",
    _SERIES.format(n=8) + "INSERT INTO ledger SELECT g % 4, 10, 'dup' FROM g",
    "CREATE TABLE audit (id INTEGER PRIMARY KEY, what TEXT)",
    "CREATE TABLE watched (id INTEGER PRIMARY KEY, v INTEGER)",
    _SERIES.format(n=5) + "INSERT INTO watched SELECT g, g FROM g",
    "CREATE TRIGGER watched_audit AFTER UPDATE ON watched BEGIN "
    "INSERT INTO audit (what) VALUES ('UPDATE ' || NEW.id); END",
    "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE)",
    _SERIES.format(n=4) + "INSERT INTO users SELECT g, 'u' || g || '@x' FROM g",
)


# (id, upgrade body): every one writes rows of tables that existed before the revision.
CASES = [
    *COMMON_CASES,
    (
        "delete-subquery",
        # Not the highest keys: SQLite gives a later insert max(id) + 1, a deleted key again.
        'op.execute("DELETE FROM acct WHERE id IN (SELECT acct_id FROM orders WHERE total < 50)")',
    ),
    (
        "insert-select-no-key",
        "op.execute(\"INSERT INTO ledger SELECT id, balance, 'opening' FROM acct\")",
    ),
    (
        "delete-no-key",
        'op.execute("DELETE FROM ledger WHERE acct_id IN (1, 2)")',
    ),
    (
        "bulk-insert-integer-primary-key",
        'acct = sa.table("acct", sa.column("name"), sa.column("balance"))\n'
        'op.bulk_insert(acct, [{"name": "bulk 1", "balance": 1}, {"name": "bulk 2", '
        '"balance": 2}])',
    ),
    (
        "on-the-connection",
        "conn = op.get_bind()\n"
        'conn.execute(sa.text("UPDATE acct SET status = :s WHERE id < :n"), '
        '{"s": "conn", "n": 6})\n'
        'conn.exec_driver_sql("DELETE FROM ledger WHERE acct_id = 2")',
    ),
    ("fires-a-trigger", 'op.execute("UPDATE watched SET v = v * 10 WHERE id > 2")'),
    (
        "data-then-ddl-in-batch-mode",
        "op.execute(\"UPDATE acct SET status = 'none' WHERE status IS NULL\")\n"
        'with op.batch_alter_table("acct") as batch:\n'
        '    batch.alter_column("status", existing_type=sa.Text(), nullable=False)',
    ),
    (
        "upsert",
        "op.execute(\"INSERT INTO acct (id, name) VALUES (1, 'one'), (500, 'five hundred') "
        'ON CONFLICT (id) DO UPDATE SET name = excluded.name")',
    ),
    ("key-change", 'op.execute("UPDATE orders SET id = id + 1000 WHERE acct_id = 3")'),
    (
        "data-ddl-data-two-shapes",
        "op.execute(\"UPDATE acct SET status = 'x' WHERE id < 3\")\n"
        'op.add_column("acct", sa.Column("flag", sa.Integer))\n'
        "op.execute(\"UPDATE acct SET flag = 1, name = 'renamed' WHERE id < 5\")",
    ),
    (
        "a-unique-value-moves-to-a-new-row",
        'op.execute("DELETE FROM users WHERE id = 1")\n'
        "op.execute(\"INSERT INTO users (id, email) VALUES (10, 'u1@x')\")",
    ),
]


@pytest.fixture
def data_db(sqlite_db: Db, project: MiniProject) -> Db:
    """The seeded tables, at revision r0 (so that the version table exists before r1)."""
    sqlite_db.execute(*SETUP)
    project.add("r0", "pass")
    proc = project.upgrade(sqlite_db.url)
    assert proc.returncode == 0, project.explain(proc)
    return sqlite_db


def _rows_archives(db: Db) -> list[dict[str, object]]:
    return [a for a in stored_archives(db, "migsafe_reverse")[-1] if a.get("kind") == "rows"]


@pytest.mark.parametrize("body", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_a_data_migration_reverts_exactly_and_keeps_later_writes(
    project: MiniProject, data_db: Db, body: str
) -> None:
    reverts_exactly(project, data_db, body, reverse_table="migsafe_reverse")


def test_rows_changed_since_the_upgrade_are_a_conflict_refused_by_default(
    project: MiniProject, data_db: Db
) -> None:
    conflicts_refused_then_kept(project, data_db, table="acct")


def test_restore_puts_the_before_image_back_over_later_changes(
    project: MiniProject, data_db: Db
) -> None:
    restore_overwrites(project, data_db)


def test_archive_list_shows_the_before_images_and_prune_drops_them(
    project: MiniProject, data_db: Db
) -> None:
    assert not data_db.has_table(listed_then_pruned(project, data_db, source="acct"))


def test_replace_is_still_irreversible(project: MiniProject, data_db: Db) -> None:
    """REPLACE deletes the rows in its way without firing delete triggers: not captured."""
    project.add("r1", "op.execute(\"REPLACE INTO acct (id, name) VALUES (1, 'one')\")")
    before = data_db.fingerprint()
    proc = project.upgrade(data_db.url)
    assert proc.returncode != 0, project.explain(proc)
    assert "REPLACE" in proc.stderr and "Traceback" not in proc.stderr
    data_db.assert_unchanged(before)


def test_before_images_over_the_limit_ask_for_a_backup_and_change_nothing(
    project: MiniProject, data_db: Db
) -> None:
    project.add("r1", "op.execute(\"UPDATE acct SET status = 'gold'\")")
    before = data_db.fingerprint()
    proc = project.run_with_env(data_db.url, {"MIGSAFE_DATA_ARCHIVE_LIMIT": "100B"}, "upgrade")
    assert proc.returncode == 2, project.explain(proc)
    assert "data-archive-limit" in proc.stderr and "--backup" in proc.stderr
    data_db.assert_unchanged(before)
    assert data_db.scalar("SELECT count(*) FROM sqlite_master WHERE name LIKE '%rows%'") == 0


def test_a_table_that_replaces_on_conflict_is_not_captured_where_it_may_be_written(
    project: MiniProject, data_db: Db
) -> None:
    """Its replaced rows fire no delete trigger: refused, unless the statement only deletes."""
    data_db.execute(
        "CREATE TABLE latest (id INTEGER PRIMARY KEY ON CONFLICT REPLACE, v TEXT)",
        "INSERT INTO latest VALUES (1, 'a'), (2, 'b')",
    )
    project.add("r1", "op.execute(\"INSERT INTO latest VALUES (1, 'replaced')\")")
    before = data_db.fingerprint()
    proc = project.upgrade(data_db.url)
    assert proc.returncode == 2, project.explain(proc)
    assert "latest declares ON CONFLICT REPLACE" in proc.stderr, proc.stderr
    data_db.assert_unchanged(before)

    project.rewrite("r1", 'op.execute("DELETE FROM latest WHERE id = 2")')
    assert project.upgrade(data_db.url).returncode == 0
    down = project.run(data_db.url, "revert", "--yes")
    assert down.returncode == 0, project.explain(down)
    data_db.assert_unchanged(before)


def test_rows_with_a_null_primary_key_are_put_back_as_whole_rows(
    project: MiniProject, data_db: Db
) -> None:
    """SQLite allows NULL in a rowid table's TEXT primary key: NULL keys cannot tell rows
    apart, so such a table is matched by whole rows."""
    data_db.execute(
        "CREATE TABLE codes (code TEXT PRIMARY KEY, label TEXT)",
        "INSERT INTO codes VALUES (NULL, 'x'), (NULL, 'y'), ('a', 'z')",
    )
    project.add("r1", "op.execute(\"UPDATE codes SET label = label || '!'\")")
    before = data_db.fingerprint()
    assert project.upgrade(data_db.url).returncode == 0
    assert sorted(r[0] for r in data_db.rows("SELECT label FROM codes")) == ["x!", "y!", "z!"]
    down = project.run(data_db.url, "revert", "--yes")
    assert down.returncode == 0, project.explain(down)
    data_db.assert_unchanged(before)


def test_a_run_of_two_data_revisions_reverts_in_one_go(project: MiniProject, data_db: Db) -> None:
    project.add("r1", "op.execute(\"UPDATE acct SET status = 'r1' WHERE id < 6\")")
    project.add("r2", 'op.execute("DELETE FROM acct WHERE id IN (2, 3)")')
    before = data_db.fingerprint()
    up = project.upgrade(data_db.url)
    assert up.returncode == 0, project.explain(up)
    assert len(_rows_archives(data_db)) == 1
    down = project.run(data_db.url, "revert", "--yes")
    assert down.returncode == 0, project.explain(down)
    data_db.assert_unchanged(before)


def test_a_conflict_in_a_table_without_a_key_does_not_show_its_values(
    project: MiniProject, data_db: Db
) -> None:
    keyless_conflict_hides_values(project, data_db, table="ledger")
