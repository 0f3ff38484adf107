"""The checks the data-change corpora share (PostgreSQL: test_data_changes_revert.py; SQLite:
test_data_changes_revert_sqlite.py). Each corpus seeds an ``acct`` table (ids 1..12, a
``status`` column, ``orders`` referencing it) at revision r0, then calls these."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.engine.conftest import Db, MiniProject

APP_ROW = "written after the upgrade"
GOLD = "op.execute(\"UPDATE acct SET status = 'gold' WHERE id <= 4\")"

ORM_BACKFILL = """\
from sqlalchemy.orm import Session, declarative_base

Base = declarative_base()

class Acct(Base):
    __tablename__ = "acct"
    id = sa.Column(sa.Integer, primary_key=True)
    score = sa.Column(sa.Float)
    status = sa.Column(sa.Text)

session = Session(bind=op.get_bind())
last = 0
while True:
    batch = session.query(Acct).filter(Acct.id > last).order_by(Acct.id).limit(5).all()
    if not batch:
        break
    for a in batch:
        a.score = a.score * 2
        a.status = "migrated"
    session.flush()
    last = batch[-1].id
"""

# Cases both corpora run, as (id, upgrade body).
COMMON_CASES = [
    ("update-where", "op.execute(\"UPDATE acct SET status = 'gold' WHERE balance > 200\")"),
    ("update-all", 'op.execute("UPDATE acct SET name = upper(name), score = score * 3")'),
    ("orm-batches", ORM_BACKFILL),
]


def stored_archives(db: Db, reverse_table: str) -> list[list[dict[str, Any]]]:
    """Each stored reverse's archives, oldest first (SQLite returns the JSON as text)."""
    rows = db.rows(f"SELECT source, archives FROM {reverse_table} ORDER BY id")
    assert all(r[0] == "generated" for r in rows), rows
    return [json.loads(r[1]) if isinstance(r[1], str) else r[1] for r in rows]


def reverts_exactly(project: MiniProject, db: Db, body: str, *, reverse_table: str) -> None:
    """r1 (*body*) upgrades without flags and keeps its rows' before-images; a row written
    after it survives the revert, every other row comes back exactly; r1 applies again."""
    project.add("r1", body)
    before = db.fingerprint()
    up = project.upgrade(db.url)
    assert up.returncode == 0, project.explain(up)
    assert db.fingerprint().data != before.data, "the case must change rows"
    archives = stored_archives(db, reverse_table)
    assert len(archives) == 2 and any(a.get("kind") == "rows" for a in archives[-1]), archives

    db.execute(f"INSERT INTO acct (name, status) VALUES ('{APP_ROW}', 'app')")
    down = project.run(db.url, "revert", "--yes")
    assert down.returncode == 0, project.explain(down)
    assert db.scalar(f"SELECT count(*) FROM acct WHERE name = '{APP_ROW}'") == 1
    db.execute(f"DELETE FROM acct WHERE name = '{APP_ROW}'")
    db.assert_unchanged(before)

    again = project.upgrade(db.url)
    assert again.returncode == 0, project.explain(again)


def conflicts_refused_then_kept(project: MiniProject, db: Db, *, table: str) -> None:
    """Rows changed or deleted since are a conflict: refused with nothing changed, exit 4,
    naming the table, the count and the keys; keep-current leaves them and restores the rest."""
    project.add("r1", GOLD)
    up = project.upgrade(db.url)
    assert up.returncode == 0, project.explain(up)
    db.execute(
        "UPDATE acct SET status = 'edited' WHERE id IN (2, 3)",
        "DELETE FROM orders WHERE acct_id = 4",
        "DELETE FROM acct WHERE id = 4",
    )
    edited = db.fingerprint()

    refused = project.run(db.url, "revert", "--yes")
    assert refused.returncode == 4, project.explain(refused)
    line = refused.stderr
    assert f"3 row(s) of {table} changed since the upgrade" in line, line
    assert "keys id=2, id=3, id=4" in line, line
    assert "--on-conflict" in line and "Traceback" not in line
    db.assert_unchanged(edited)

    kept = project.run(db.url, "revert", "--yes", "--on-conflict", "keep-current")
    assert kept.returncode == 0, project.explain(kept)
    rows = dict(db.rows("SELECT id, status FROM acct WHERE id <= 4"))
    assert rows == {1: "new", 2: "edited", 3: "edited"}


def restore_overwrites(project: MiniProject, db: Db) -> None:
    """--on-conflict restore puts the before-images back over later changes and deletions."""
    before = dict(db.rows("SELECT id, status FROM acct WHERE id <= 4"))
    project.add("r1", GOLD)
    assert project.upgrade(db.url).returncode == 0
    db.execute("UPDATE acct SET status = 'edited' WHERE id = 2", "DELETE FROM acct WHERE id = 4")
    done = project.run(db.url, "revert", "--yes", "--on-conflict", "restore")
    assert done.returncode == 0, project.explain(done)
    assert dict(db.rows("SELECT id, status FROM acct WHERE id <= 4")) == before


def listed_then_pruned(project: MiniProject, db: Db, *, source: str) -> str:
    """`archive list` shows the before-images (rows, bytes where the database tells), `archive
    prune` drops them, and a revert that needed them then refuses. Returns the table's name."""
    project.add("r1", GOLD)
    assert project.upgrade(db.url).returncode == 0
    listed = project.run(db.url, "archive", "list", "--format", "json")
    assert listed.returncode == 0, project.explain(listed)
    entries = [e for e in json.loads(listed.stdout)["archives"] if e["kind"] == "rows"]
    assert len(entries) == 1, listed.stdout
    assert entries[0]["rows"] == 8 and entries[0]["source"] == source  # 4 rows, before and after
    pruned = project.run(db.url, "archive", "prune", "--older-than", "0s")
    assert pruned.returncode == 0, project.explain(pruned)
    refused = project.run(db.url, "revert", "--yes")
    assert refused.returncode == 2, project.explain(refused)
    return str(entries[0]["archive_table"])


def keyless_conflict_hides_values(project: MiniProject, db: Db, *, table: str) -> None:
    """A conflict in a table without a key (``ledger``) is refused, and the error names the
    table and the count but not the rows' values: they reach stderr and the history."""
    project.add("r1", "op.execute(\"INSERT INTO ledger VALUES (9, 99, 'secret-value')\")")
    assert project.upgrade(db.url).returncode == 0
    db.execute("DELETE FROM ledger WHERE note = 'secret-value'")
    after = db.fingerprint()
    refused = project.run(db.url, "revert", "--yes")
    assert refused.returncode == 4, project.explain(refused)
    assert f"1 row(s) of {table} changed since the upgrade" in refused.stderr, refused.stderr
    assert "values not shown" in refused.stderr
    assert "secret-value" not in refused.stderr + refused.stdout
    assert "secret-value" not in " ".join(str(r) for r in db.runs())
    db.assert_unchanged(after)
