"""Generated reverse scripts, end to end: upgrade, revert, and what the data looks like after.

The corpus (tests/projects/reverse_corpus) uses every operation migsafe reverses, on a
database seeded with NULLs, unicode, large text, arrays and JSON. None of its downgrade()
functions does anything, so every revert here is migsafe's own reverse, read back from the
history table: the schema fingerprint and every pre-existing row must come back exactly.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa

from migsafe.db.fingerprint import Fingerprint, fingerprint

if TYPE_CHECKING:
    from conftest import Db, MiniProject

CORPUS = Path(__file__).parents[1] / "projects" / "reverse_corpus" / "versions"
REVISIONS = sorted(p.name.split("_")[0] for p in CORPUS.glob("c*.py"))
BIG_TEXT = ("lorem ipsum dolor sit amet, ñandú 日本語 🚀 " * 2500).strip()  # ~100 kB
IGNORED = ("migsafe", "migsafe_archive")


@pytest.fixture
def corpus(project: MiniProject) -> MiniProject:
    for path in CORPUS.glob("c*.py"):
        shutil.copy(path, project.versions / path.name)
    return project


def seed(db: Db) -> None:
    """Rows that exercise every type the corpus touches, written at revision c00."""
    with db.engine() as engine, engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO accounts (email, name, bio, tags, prefs, mood, balance, "
                "legacy_code, status) VALUES (:email, :name, :bio, :tags, CAST(:prefs AS jsonb), "
                "CAST(:mood AS mood), :balance, :legacy, :status)"
            ),
            [
                {
                    "email": f"user{i}@example.com",
                    "name": None if i % 7 == 0 else f"Ünïcode name {i} — 名前",
                    "bio": BIG_TEXT if i % 10 == 0 else (None if i % 3 == 0 else f"bio {i}"),
                    "tags": None if i % 5 == 0 else [f"t{i}", "ñ", None, "quote'd"],
                    "prefs": None if i % 4 == 0 else json.dumps({"n": i, "nested": {"ok": True}}),
                    "mood": None if i % 6 == 0 else ("sad", "ok", "happy")[i % 3],
                    "balance": f"{i * 1.25:.2f}",
                    "legacy": None if i % 2 else f"L-{i}",
                    "status": "active" if i % 2 else "paused",
                }
                for i in range(1, 151)
            ],
        )
        conn.execute(
            sa.text(
                "INSERT INTO orders (id, account_id, total, state, items, placed_at) VALUES "
                "(:id, :account, :total, :state, CAST(:items AS json), :at)"
            ),
            [
                {
                    "id": i,
                    "account": 1 + i % 150,
                    "total": f"{i * 3.17:.2f}",
                    "state": ("new", "paid", "done", None)[i % 4],
                    "items": None if i % 9 == 0 else json.dumps([{"sku": f"S{i}", "qty": i % 4}]),
                    "at": None if i % 8 == 0 else f"2024-01-{1 + i % 28:02d} 10:{i % 60:02d}:00",
                }
                for i in range(1, 301)
            ],
        )
        conn.execute(
            sa.text(
                "INSERT INTO audit_log (id, account_id, payload, at) VALUES "
                "(:id, :account, :payload, :at)"
            ),
            [
                {
                    "id": i,
                    "account": None if i % 5 == 0 else 1 + i % 150,
                    "payload": BIG_TEXT if i == 1 else f"event {i} ✓",
                    "at": f"2024-02-{1 + i % 28:02d} 00:00:00+00",
                }
                for i in range(1, 101)
            ],
        )
        conn.execute(
            sa.text("INSERT INTO old_names (id, label) VALUES (:id, :label)"),
            [{"id": i, "label": None if i == 3 else f"label {i}"} for i in range(1, 21)],
        )
        conn.execute(
            sa.text("INSERT INTO countries (code, name) VALUES (:code, :name)"),
            [{"code": c, "name": n} for c, n in [("fr", "France"), ("jp", "日本"), ("de", "D")]],
        )


def seed_later(db: Db) -> None:
    """Rows for tables the corpus creates, once they exist (so their reverse has data too)."""
    with db.engine() as engine, engine.begin() as conn:
        if sa.inspect(conn).has_table("shipments"):
            conn.execute(
                sa.text(
                    "INSERT INTO shipments (id, order_id, carrier, tracking, country) "
                    "VALUES (:id, :order, :carrier, :tracking, :country)"
                ),
                [
                    {
                        "id": i,
                        "order": i,
                        "carrier": "post" if i % 2 else "ÜPS",
                        "tracking": None if i % 3 == 0 else f"TR{i}",
                        "country": None if i % 4 == 0 else "fr",
                    }
                    for i in range(1, 41)
                ],
            )


def fp(db: Db) -> Fingerprint:
    with db.engine() as engine, engine.connect() as conn:
        # A column the revert adds back lands last: columns compare by name (see fingerprint).
        return fingerprint(conn, exclude_schemas=IGNORED, column_order=False)


def migsafe(project: MiniProject, db: Db, *args: str) -> Any:
    proc = project.run(db.url, *args)
    assert proc.returncode == 0, project.explain(proc)
    return proc


def at_revision(project: MiniProject, db: Db, revision: str) -> None:
    """Upgrade to c00, seed, then to *revision* (and seed what appeared)."""
    migsafe(project, db, "upgrade", "c00")
    seed(db)
    if revision != "c00":
        migsafe(project, db, "upgrade", revision)
        seed_later(db)


def assert_same(before: Fingerprint, after: Fingerprint) -> None:
    changed = sorted(
        k
        for k in set(before.tables) | set(after.tables)
        if before.tables.get(k) != after.tables.get(k)
    )
    assert after.schema == before.schema, "the schema is not as it was"
    assert not changed, f"rows differ in {', '.join(changed)}"
    assert after == before


@pytest.mark.parametrize("revision", REVISIONS[1:])
def test_each_migration_reverts_to_the_same_schema_and_rows(
    corpus: MiniProject, pg_db: Db, revision: str
) -> None:
    """One revision at a time: the generated reverse restores the schema and every row,
    including the values of dropped columns and tables, and the revision applies again."""
    previous = REVISIONS[REVISIONS.index(revision) - 1]
    at_revision(corpus, pg_db, previous)
    before = fp(pg_db)

    migsafe(corpus, pg_db, "upgrade", revision)
    upgraded = fp(pg_db)
    assert upgraded.schema != before.schema or upgraded.data != before.data

    migsafe(corpus, pg_db, "revert", "--yes")
    assert_same(before, fp(pg_db))
    assert pg_db.scalar("SELECT version_num FROM alembic_version") == previous

    migsafe(corpus, pg_db, "upgrade", revision)
    assert fp(pg_db).schema == upgraded.schema


def test_the_whole_corpus_round_trips_twice(corpus: MiniProject, pg_db: Db) -> None:
    """All twelve revisions in one run, reverted in one transaction, applied and reverted
    again: the second round sees the archives of the first and still comes back exactly."""
    at_revision(corpus, pg_db, "c00")
    before = fp(pg_db)
    first = None
    for _ in range(2):
        migsafe(corpus, pg_db, "upgrade")
        upgraded = fp(pg_db)
        if first is not None:
            assert upgraded.schema == first.schema
        first = upgraded
        result = json.loads(migsafe(corpus, pg_db, "revert", "--yes", "--format", "json").stdout)
        assert result["status"] == "succeeded"
        assert [s["revision"] for s in result["plan"]["steps"]] == list(reversed(REVISIONS[1:]))
        assert_same(before, fp(pg_db))


def test_the_history_stores_sql_fingerprints_and_archives(corpus: MiniProject, pg_db: Db) -> None:
    """What revert needs is in the history, written with the run: reverse SQL per revision,
    heads before/after, the schema fingerprint before, and where kept data went."""
    at_revision(corpus, pg_db, "c00")
    migsafe(corpus, pg_db, "upgrade", "c02")
    rows = pg_db.rows(
        "SELECT revision, source, sql, archives, heads_before, heads_after, schema_before "
        "FROM migsafe.migsafe_reverse ORDER BY applied_at, seq"
    )
    by_revision = {r[0]: r for r in rows}
    assert set(by_revision) == {"c00", "c01", "c02"}
    c02 = by_revision["c02"]
    assert c02[1] == "generated"
    assert any("ADD COLUMN bio" in s for s in c02[2])
    assert any('"migsafe_archive"' in s for s in c02[2])
    kept = {(a["table"], a["column"]) for a in c02[3] if a["when"] == "upgrade"}
    assert kept == {("accounts", c) for c in ("bio", "tags", "prefs", "mood")}
    assert c02[4] == ["c01"] and c02[5] == ["c02"]
    first_of_run = by_revision["c01"]
    assert first_of_run[6] is not None  # the fingerprint revert compares with


def test_writes_made_after_the_upgrade_survive_the_revert(corpus: MiniProject, pg_db: Db) -> None:
    """Rows inserted and updated in the new schema are there afterwards, in the old shape;
    the dropped values of the old rows come back; a table the upgrade created is archived
    with the rows written to it, not dropped."""
    at_revision(corpus, pg_db, "c00")
    originals = pg_db.rows(
        "SELECT id, bio, tags, prefs::text, mood::text FROM accounts ORDER BY id"
    )
    totals = dict(pg_db.rows("SELECT id, total FROM orders"))
    migsafe(corpus, pg_db, "upgrade")
    pg_db.execute(
        "INSERT INTO accounts (email, name, balance, phone, nickname, vip) "
        "VALUES ('new1@example.com', 'Nëw 新', 1, '+33 1', 'n1', true), "
        "('new2@example.com', NULL, 2, NULL, NULL, false)",
        "UPDATE accounts SET name = 'renamed ✓' WHERE id IN (2, 4)",
        "INSERT INTO orders (id, account_id, total, state, priority) VALUES (1001, 1, 7, 'new', 2)",
        "INSERT INTO shipments (id, order_id, carrier, tracking) VALUES (1, 1001, 'post', 'X1')",
        "INSERT INTO labels (id, label) VALUES (500, 'written after')",
    )
    migsafe(corpus, pg_db, "revert", "--yes")

    new = pg_db.rows(
        "SELECT email, name, bio, tags, mood FROM accounts WHERE email LIKE 'new%' ORDER BY email"
    )
    assert new == [
        ("new1@example.com", "Nëw 新", None, None, None),
        ("new2@example.com", None, None, None, None),
    ]
    assert dict(pg_db.rows("SELECT id, name FROM accounts WHERE id IN (2, 4)")) == {
        2: "renamed ✓",
        4: "renamed ✓",
    }
    restored = pg_db.rows(
        "SELECT id, bio, tags, prefs::text, mood::text FROM accounts "
        "WHERE email NOT LIKE 'new%' ORDER BY id"
    )
    assert restored == originals
    assert dict(pg_db.rows("SELECT id, total FROM orders WHERE id <= 300")) == totals
    assert pg_db.scalar("SELECT total FROM orders WHERE id = 1001") == 7
    assert pg_db.scalar("SELECT label FROM old_names WHERE id = 500") == "written after"
    assert not pg_db.has_table("shipments")
    archived = pg_db.scalar(
        "SELECT string_agg(c.relname, ',') FROM pg_class c JOIN pg_namespace n "
        "ON n.oid = c.relnamespace WHERE n.nspname = 'migsafe_archive' "
        "AND c.relname LIKE 'shipments%' AND c.relkind = 'r'"
    )
    assert archived and pg_db.scalar(f'SELECT tracking FROM migsafe_archive."{archived}"') == "X1"


def test_revert_works_from_a_checkout_without_the_newer_revisions(
    corpus: MiniProject, pg_db: Db, tmp_path: Path
) -> None:
    """An older release of the app (migrations up to c05 only) reverts the newer release's
    run from what the history stored; its own downgrade() could not."""
    at_revision(corpus, pg_db, "c05")
    before = fp(pg_db)
    migsafe(corpus, pg_db, "upgrade")

    old_release = tmp_path / "old_release"
    shutil.copytree(corpus.root, old_release)
    for path in (old_release / "migrations" / "versions").glob("c*.py"):
        if path.name.split("_")[0] > "c05":
            path.unlink()
    old = type(corpus)(old_release)
    refused = old.run(pg_db.url, "revert", "--yes", "--use-downgrade")
    assert refused.returncode == 2, old.explain(refused)
    migsafe(old, pg_db, "revert", "--yes")
    assert_same(before, fp(pg_db))
    assert pg_db.scalar("SELECT version_num FROM alembic_version") == "c05"


def test_revert_steps_and_to_walk_the_stored_chain(corpus: MiniProject, pg_db: Db) -> None:
    """--steps N and --to REV pick stored reverses across runs, newest first."""
    at_revision(corpus, pg_db, "c00")
    states = {"c00": fp(pg_db)}
    for revision in ("c02", "c04", "c06"):
        migsafe(corpus, pg_db, "upgrade", revision)
        states[revision] = fp(pg_db)
    migsafe(corpus, pg_db, "revert", "--yes", "--steps", "2")
    assert pg_db.scalar("SELECT version_num FROM alembic_version") == "c04"
    assert fp(pg_db).schema == states["c04"].schema
    migsafe(corpus, pg_db, "revert", "--yes", "--to", "c00")
    assert_same(states["c00"], fp(pg_db))
