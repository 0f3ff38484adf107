"""Data migrations in every shape upgrade without flags and revert exactly (issue 12).

Each case runs one revision that writes rows (raw SQL, the connection, an ORM session, a SQL
function, a trigger, an autocommit block...) on seeded data; the revision's reverse is the
before-images of the rows it wrote (reverse/rows). The proof, per case: the upgrade needs no
--backup or --allow-irreversible; a row the application inserts after it survives the revert;
every other row is back exactly (data fingerprint); and the revision applies again.
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
)

if TYPE_CHECKING:
    from conftest import Db, MiniProject

SETUP = (
    "CREATE TABLE acct (id serial PRIMARY KEY, name text, balance numeric(12,2), "
    "status text, tags text[], meta jsonb, seen timestamptz, raw bytea, score float8)",
    "INSERT INTO acct (name, balance, status, tags, meta, seen, raw, score) "
    "SELECT 'acct ' || g, g * 37.5, CASE WHEN mod(g, 3) = 0 THEN NULL ELSE 'new' END, "
    "ARRAY['t' || g, NULL], jsonb_build_object('g', g, 'nested', jsonb_build_array(g, 'x')), "
    "timestamptz '2024-01-01 12:00:00.123456+00' + g * interval '1 day', "
    "decode(md5(g::text), 'hex'), g / 7.0 FROM generate_series(1, 12) g",
    "CREATE TABLE orders (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
    "acct_id int NOT NULL REFERENCES acct ON DELETE CASCADE, total numeric(10,2), "
    "doubled numeric GENERATED ALWAYS AS (total * 2) STORED)",
    "INSERT INTO orders (acct_id, total) "
    "SELECT 1 + mod(g, 12), g * 9.5 FROM generate_series(1, 30) g",
    "CREATE TABLE ledger (acct_id int, amount numeric, note text)",
    "INSERT INTO ledger SELECT mod(g, 4), 10, 'dup' FROM generate_series(1, 8) g",
    "CREATE TABLE audit (id bigserial PRIMARY KEY, what text)",
    "CREATE FUNCTION audit_acct() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "INSERT INTO audit (what) VALUES (TG_OP || ' ' || NEW.id); RETURN NEW; END $$",
    "CREATE TABLE watched (id int PRIMARY KEY, v int)",
    "INSERT INTO watched SELECT g, g FROM generate_series(1, 5) g",
    "CREATE TRIGGER watched_audit AFTER UPDATE ON watched FOR EACH ROW EXECUTE FUNCTION "
    "audit_acct()",
    "CREATE TABLE events_p (id int, region text, v int, PRIMARY KEY (id, region)) "
    "PARTITION BY LIST (region)",
    "CREATE TABLE events_p_eu PARTITION OF events_p FOR VALUES IN ('eu')",
    "CREATE TABLE events_p_us PARTITION OF events_p FOR VALUES IN ('us')",
    "INSERT INTO events_p SELECT g, CASE WHEN mod(g, 2) = 0 THEN 'eu' ELSE 'us' END, g "
    "FROM generate_series(1, 10) g",
    "CREATE FUNCTION bump(n numeric) RETURNS void LANGUAGE sql AS "
    "$$ UPDATE acct SET balance = balance + n WHERE status = 'new' $$",
)


# (id, upgrade body): every one writes rows of tables that existed before the revision.
CASES = [
    *COMMON_CASES,
    (
        "update-from-join",
        'op.execute("UPDATE orders o SET total = o.total + 1 FROM acct a '
        "WHERE a.id = o.acct_id AND a.status = 'new'\")",
    ),
    (
        "delete-subquery-cascading",
        'op.execute("DELETE FROM acct WHERE id IN (SELECT acct_id FROM orders WHERE total > 200)")',
    ),
    (
        "insert-select-no-key",
        "op.execute(\"INSERT INTO ledger SELECT id, balance, 'opening' FROM acct\")",
    ),
    (
        "bulk-insert-serial",
        'acct = sa.table("acct", sa.column("name"), sa.column("balance"))\n'
        'op.bulk_insert(acct, [{"name": "bulk 1", "balance": 1}, {"name": "bulk 2", '
        '"balance": 2}])',
    ),
    ("sql-function", 'op.execute("SELECT bump(5)")'),
    (
        "do-block",
        "op.execute(\"DO $$ BEGIN UPDATE acct SET status = 'do' WHERE id < 4; "
        'DELETE FROM ledger WHERE acct_id = 1; END $$")',
    ),
    ("function-on-the-connection", 'op.get_bind().execute(sa.text("SELECT bump(:n)"), {"n": 2})'),
    (
        "on-the-connection",
        "conn = op.get_bind()\n"
        'conn.execute(sa.text("UPDATE acct SET status = :s WHERE id < :n"), '
        '{"s": "conn", "n": 6})\n'
        'conn.exec_driver_sql("DELETE FROM ledger WHERE acct_id = 2")',
    ),
    (
        "autocommit-block",
        "with op.get_context().autocommit_block():\n"
        "    op.execute(\"UPDATE acct SET status = 'ac' WHERE mod(id, 2) = 0\")",
    ),
    ("fires-a-trigger", 'op.execute("UPDATE watched SET v = v * 10 WHERE id > 2")'),
    (
        "data-then-ddl",
        "op.execute(\"UPDATE acct SET status = 'none' WHERE status IS NULL\")\n"
        'op.alter_column("acct", "status", nullable=False)',
    ),
    ("truncate-no-key", 'op.execute("TRUNCATE ledger")'),
    (
        "partitioned-root-and-partition",
        "op.execute(\"UPDATE events_p SET v = v * 10, region = 'eu' WHERE id < 6\")\n"
        'op.execute("DELETE FROM events_p_us WHERE id > 6")',
    ),
    (
        "upsert",
        "op.execute(\"INSERT INTO acct (id, name) VALUES (1, 'one'), (500, 'five hundred') "
        'ON CONFLICT (id) DO UPDATE SET name = excluded.name")',
    ),
    (
        "key-change-and-cte",
        'op.execute("WITH moved AS (UPDATE orders SET acct_id = 2 WHERE acct_id = 3 '
        'RETURNING id) DELETE FROM ledger WHERE acct_id IN (SELECT count(*) FROM moved)")',
    ),
]


@pytest.fixture
def data_db(pg_db: Db, project: MiniProject) -> Db:
    """The seeded tables, at revision r0 (so that the version table exists before r1)."""
    pg_db.execute(*SETUP)
    project.add("r0", "pass")
    proc = project.upgrade(pg_db.url)
    assert proc.returncode == 0, project.explain(proc)
    return pg_db


@pytest.mark.parametrize("body", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_a_data_migration_reverts_exactly_and_keeps_later_writes(
    project: MiniProject, data_db: Db, body: str
) -> None:
    reverts_exactly(project, data_db, body, reverse_table="migsafe.migsafe_reverse")


def test_rows_changed_since_the_upgrade_are_a_conflict_refused_by_default(
    project: MiniProject, data_db: Db
) -> None:
    conflicts_refused_then_kept(project, data_db, table="public.acct")


def test_restore_puts_the_before_image_back_over_later_changes(
    project: MiniProject, data_db: Db
) -> None:
    restore_overwrites(project, data_db)


def test_an_unknown_conflict_mode_is_a_usage_error_that_changes_nothing(
    project: MiniProject, data_db: Db
) -> None:
    project.add("r1", "op.execute(\"UPDATE acct SET status = 'gold'\")")
    assert project.upgrade(data_db.url).returncode == 0
    after = data_db.fingerprint()
    proc = project.run(data_db.url, "revert", "--yes", "--on-conflict", "merge")
    assert proc.returncode == 2, project.explain(proc)
    assert "--on-conflict" in proc.stderr and "Traceback" not in proc.stderr
    data_db.assert_unchanged(after)


def test_before_images_over_the_limit_ask_for_a_backup_and_change_nothing(
    project: MiniProject, data_db: Db
) -> None:
    project.add("r1", "op.execute(\"UPDATE acct SET status = 'gold'\")")
    before = data_db.fingerprint()
    proc = project.run_with_env(data_db.url, {"MIGSAFE_DATA_ARCHIVE_LIMIT": "1kB"}, "upgrade")
    assert proc.returncode == 2, project.explain(proc)
    assert "data-archive-limit" in proc.stderr and "--backup" in proc.stderr
    data_db.assert_unchanged(before)
    assert (
        data_db.scalar("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'migsafe\\_rows\\_%'")
        == 0
    )


@pytest.mark.parametrize(
    "body",
    [
        'op.execute("DO $$ BEGIN ALTER TABLE acct ADD COLUMN x int; '
        'UPDATE acct SET x = 1; END $$")',
        'op.get_bind().exec_driver_sql("DO $$ BEGIN CREATE INDEX ON acct (name); END $$")',
    ],
    ids=["op-execute", "on-the-connection"],
)
def test_procedural_code_that_changes_the_schema_is_refused_with_nothing_changed(
    project: MiniProject, data_db: Db, body: str
) -> None:
    """Its rows would be captured, but the DDL inside it has no reverse."""
    project.add("r1", body)
    before = data_db.fingerprint()
    proc = project.upgrade(data_db.url)
    assert proc.returncode == 2, project.explain(proc)
    assert "changed the schema from procedural code" in proc.stderr, proc.stderr
    data_db.assert_unchanged(before)


def test_archive_list_shows_the_before_images_and_prune_drops_them(
    project: MiniProject, data_db: Db
) -> None:
    table = listed_then_pruned(project, data_db, source="public.acct")
    assert not data_db.scalar(f"SELECT to_regclass('migsafe_archive.{table}') IS NOT NULL")


def test_a_row_the_upgrade_inserted_that_later_rows_reference_is_a_conflict(
    project: MiniProject, data_db: Db
) -> None:
    """Deleting it would cascade into the application's rows (orders reference acct ON DELETE
    CASCADE): refused by default, kept with keep-current, and nothing of the app's is lost."""
    project.add("r1", "op.execute(\"INSERT INTO acct (name) VALUES ('m1'), ('m2')\")")
    assert project.upgrade(data_db.url).returncode == 0
    data_db.execute("INSERT INTO orders (acct_id, total) SELECT id, 1 FROM acct WHERE name = 'm1'")
    after = data_db.fingerprint()

    refused = project.run(data_db.url, "revert", "--yes")
    assert refused.returncode == 4, project.explain(refused)
    assert "1 row(s) of public.acct that the upgrade inserted are referenced" in refused.stderr
    assert "(in orders)" in refused.stderr and "Traceback" not in refused.stderr
    data_db.assert_unchanged(after)

    kept = project.run(data_db.url, "revert", "--yes", "--on-conflict", "keep-current")
    assert kept.returncode == 0, project.explain(kept)
    assert data_db.rows("SELECT name FROM acct WHERE name LIKE 'm_' ORDER BY name") == [("m1",)]
    assert (
        data_db.scalar(
            "SELECT count(*) FROM orders o JOIN acct a ON a.id = o.acct_id WHERE a.name = 'm1'"
        )
        == 1
    )


def test_a_conflict_in_a_table_without_a_key_does_not_show_its_values(
    project: MiniProject, data_db: Db
) -> None:
    keyless_conflict_hides_values(project, data_db, table="public.ledger")


def test_a_statement_whose_writes_the_sql_does_not_show_watches_every_table_and_says_so(
    project: MiniProject, data_db: Db
) -> None:
    """`watched` has a trigger that writes to `audit`: the audit rows are captured too, and
    the stored reverse carries the caveat."""
    project.add("r1", 'op.execute("UPDATE watched SET v = v + 1")')
    assert project.upgrade(data_db.url).returncode == 0
    assert data_db.scalar("SELECT count(*) FROM audit") == 5
    caveats = data_db.scalar("SELECT caveats FROM migsafe.migsafe_reverse WHERE revision = 'r1'")
    assert any("every table was watched" in c and "watched has triggers" in c for c in caveats)
    assert project.run(data_db.url, "revert", "--yes").returncode == 0
    assert data_db.scalar("SELECT count(*) FROM audit") == 0
