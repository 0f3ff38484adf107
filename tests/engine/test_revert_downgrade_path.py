"""Whatever undoes a revision, the data migsafe kept comes back, and the schema is checked.

A revision undone by its own ``downgrade()`` (``--use-downgrade``, or because its stored
reverse is unusable) gets its column re-added *empty* by that function: the values kept in the
archive are put back by primary key right after it, in the same transaction, or the revert
refuses naming what would be lost. Every path is then compared with the schema recorded
before the upgrade, so an inexact ``downgrade()`` is refused with what differs, instead of
poisoning every later revert.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.engine.conftest import Db, MiniProject

ITEMS = """
    op.create_table(
        "items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
    )
    op.execute(
        "INSERT INTO items (id, name, note) "
        "VALUES (1, 'a', 'kept 1'), (2, 'b', NULL), (3, 'c', 'kept 3')"
    )
"""
DROP_NOTE = 'op.drop_column("items", "note")'
READD_NOTE = 'op.add_column("items", sa.Column("note", sa.Text, nullable=True))'
# Irreversible (it changes existing rows) but its downgrade() undoes it: the stored row says
# "undone by its own downgrade()".
DROP_NOTE_AND_SHOUT = DROP_NOTE + '\nop.execute("UPDATE items SET name = upper(name)")'
READD_NOTE_AND_WHISPER = READD_NOTE + '\nop.execute("UPDATE items SET name = lower(name)")'


def _applied(project: MiniProject, db: Db, upgrade: str, downgrade: str) -> object:
    project.add("r1", ITEMS, 'op.drop_table("items")')
    assert project.upgrade(db.url).returncode == 0
    before = db.fingerprint()
    project.add("r2", upgrade, downgrade)
    proc = project.upgrade(db.url)
    assert proc.returncode == 0, project.explain(proc)
    assert db.columns("items") == ["id", "name"]
    return before


@pytest.mark.parametrize(
    ("upgrade", "downgrade", "args", "source"),
    [
        (DROP_NOTE, READD_NOTE, ("--use-downgrade",), "generated"),
        (DROP_NOTE_AND_SHOUT, READD_NOTE_AND_WHISPER, (), "downgrade"),
    ],
    ids=["use-downgrade", "stored-reverse-unusable"],
)
def test_the_values_kept_come_back_after_downgrade_re_adds_the_column(
    project: MiniProject,
    pg_db: Db,
    upgrade: str,
    downgrade: str,
    args: tuple[str, ...],
    source: str,
) -> None:
    if source == "downgrade":  # the UPDATE irreversible (row capture off): downgrade() covers it
        (project.root / "pyproject.toml").write_text("[tool.migsafe]\ncapture-rows = false\n")
    before = _applied(project, pg_db, upgrade, downgrade)
    stored = pg_db.scalar("SELECT source FROM migsafe.migsafe_reverse WHERE revision = 'r2'")
    assert stored == source
    proc = project.run(pg_db.url, "revert", "--yes", *args, "--format", "json")
    assert proc.returncode == 0, project.explain(proc)
    (step,) = json.loads(proc.stdout)["plan"]["steps"]
    assert step["message"].startswith("its own downgrade() (")
    assert step["message"].endswith("then the data the upgrade kept is put back")
    assert pg_db.heads() == ("r1",)
    assert pg_db.rows("SELECT id, note FROM items ORDER BY id") == [
        (1, "kept 1"),
        (2, None),
        (3, "kept 3"),
    ]
    pg_db.assert_unchanged(before)  # type: ignore[arg-type]


def test_the_values_come_back_on_sqlite_too(project: MiniProject, sqlite_db: Db) -> None:
    before = _applied(
        project,
        sqlite_db,
        'with op.batch_alter_table("items") as batch_op:\n    batch_op.drop_column("note")',
        READD_NOTE,
    )
    proc = project.run(sqlite_db.url, "revert", "--yes", "--use-downgrade")
    assert proc.returncode == 0, project.explain(proc)
    assert sqlite_db.rows("SELECT id, note FROM items ORDER BY id") == [
        (1, "kept 1"),
        (2, None),
        (3, "kept 3"),
    ]
    assert sqlite_db.fingerprint().tables == before.tables  # type: ignore[attr-defined]


def test_a_downgrade_that_does_not_bring_the_column_back_is_refused(
    project: MiniProject, pg_db: Db
) -> None:
    """Rather than losing the kept values, the revert rolls back and names them."""
    _applied(project, pg_db, DROP_NOTE, 'op.add_column("items", sa.Column("remark", sa.Text))')
    after = pg_db.fingerprint()
    proc = project.run(pg_db.url, "revert", "--yes", "--use-downgrade")
    assert proc.returncode == 2, project.explain(proc)
    assert (
        "r2's downgrade() does not bring back what migsafe kept when it was applied: "
        "public.items.note (column public.items.note is not there); that data would be lost; "
        "rolled back, nothing changed"
    ) in proc.stderr
    pg_db.assert_unchanged(after)
    assert pg_db.heads() == ("r2",)


ENUM_TABLE = """
    mood = sa.Enum("happy", "sad", name="mood")
    op.create_table(
        "feelings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("mood", mood, nullable=True),
    )
"""
# Drops the table but leaves its enum type behind: not what was there before.
LEAVES_THE_ENUM = 'op.drop_table("feelings")'


def test_an_inexact_downgrade_is_refused_with_what_differs_and_poisons_nothing(
    project: MiniProject, pg_db: Db
) -> None:
    project.add("r0", "pass")
    assert project.upgrade(pg_db.url).returncode == 0
    before = pg_db.fingerprint()
    project.add("r1", ENUM_TABLE, LEAVES_THE_ENUM)
    assert project.upgrade(pg_db.url).returncode == 0
    after = pg_db.fingerprint()

    proc = project.run(pg_db.url, "revert", "--yes", "--use-downgrade")
    assert proc.returncode == 4, project.explain(proc)
    lines = proc.stderr.splitlines()
    error = next(line for line in lines if line.startswith("error: "))
    assert error.startswith(
        "error: the schema after the revert differs from the one recorded before the upgrade: "
        '1 difference(s): enum type "public.mood" is extra'
    ), error
    assert error.endswith("rolled back, the database is at r1 (run " + error.split("(run ")[-1])
    assert "fingerprint" not in error  # what differs, not two hashes
    title = lines.index(
        next(line for line in lines if line.startswith("--- schema after the revert"))
    )
    assert lines[title + 1] == '  enum type "public.mood" is extra'
    assert "--- how each revision was undone ---" in lines
    assert "  r1: its own downgrade() (--use-downgrade)" in lines
    hint = next(line for line in lines if line.startswith("hint: "))
    assert "r1: undone by its own downgrade()" in hint
    pg_db.assert_unchanged(after)

    # Nothing was left behind to poison the next revert: the stored reverse works.
    back = project.run(pg_db.url, "revert", "--yes")
    assert back.returncode == 0, project.explain(back)
    pg_db.assert_unchanged(before)


TAGS = """
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("label", sa.String(20), nullable=False),
    )
    op.execute("INSERT INTO tags (label) VALUES ('red'), ('green')")
"""
RECREATE_TAGS = """
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("label", sa.String(20), nullable=False),
    )
"""


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_a_dropped_tables_rows_come_back_into_the_table_downgrade_re_creates(
    project: MiniProject, backend: str, request: pytest.FixtureRequest
) -> None:
    db: Db = request.getfixturevalue("pg_db" if backend == "postgresql" else "sqlite_db")
    project.add("r1", TAGS, 'op.drop_table("tags")')
    assert project.upgrade(db.url).returncode == 0
    before = db.fingerprint()
    project.add("r2", 'op.drop_table("tags")', RECREATE_TAGS)
    assert project.upgrade(db.url).returncode == 0
    assert not db.has_table("tags")
    proc = project.run(db.url, "revert", "--yes", "--use-downgrade")
    assert proc.returncode == 0, project.explain(proc)
    assert db.rows("SELECT id, label FROM tags ORDER BY id") == [(1, "red"), (2, "green")]
    assert db.fingerprint().tables == before.tables
    # The serial goes on after the rows put back.
    db.execute("INSERT INTO tags (label) VALUES ('blue')")
    assert db.scalar("SELECT max(id) FROM tags") == 3
