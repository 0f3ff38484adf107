"""Revision files are read as source and imported only when a command needs them.

The revision map comes from the files' literal identifiers; ``status``, ``history`` and a
revert through stored reverses import none of them, while an upgrade imports what it will
run before anything runs, so a broken pending file still stops it with nothing changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.engine.conftest import Db, MiniProject

TABLE = """
    op.create_table("t{k}", sa.Column("id", sa.Integer, primary_key=True))
"""


def _break(project: MiniProject, rev: str, line: str) -> None:
    """Make importing the revision file fail (its identifiers stay literals)."""
    path = project.path(rev)
    path.write_text(path.read_text() + f"\n{line}\n")


def test_commands_that_run_no_revision_import_none(project: MiniProject, pg_db: Db) -> None:
    for k in (1, 2):
        project.add(f"r{k}", TABLE.format(k=k), f'op.drop_table("t{k}")')
    up = project.upgrade(pg_db.url)
    assert up.returncode == 0, project.explain(up)
    _break(project, "r1", 'raise ImportError("r1 was imported")')

    for args in (("history",), ("status",), ("revert", "--dry-run")):
        proc = project.run(pg_db.url, *args)
        assert proc.returncode == 0, project.explain(proc)
        assert "r1 was imported" not in proc.stderr

    # Reverting the run undoes r2 and r1 through their stored reverses: no import either.
    back = project.run(pg_db.url, "revert", "--yes")
    assert back.returncode == 0, project.explain(back)
    assert pg_db.heads() == ()


def test_an_upgrade_imports_what_it_will_run_before_anything_runs(
    project: MiniProject, pg_db: Db
) -> None:
    project.add("r1", TABLE.format(k=1), 'op.drop_table("t1")')
    assert project.upgrade(pg_db.url).returncode == 0
    project.add("r2", TABLE.format(k=2), 'op.drop_table("t2")')
    project.add("r3", TABLE.format(k=3), 'op.drop_table("t3")')
    _break(project, "r3", "import migsafe_surely_missing_module")
    before = pg_db.fingerprint()

    proc = project.upgrade(pg_db.url)

    assert proc.returncode == 2, project.explain(proc)
    assert "cannot load a migration file" in proc.stderr, proc.stderr
    assert "migsafe_surely_missing_module" in proc.stderr
    pg_db.assert_unchanged(before)
    assert pg_db.heads() == ("r1",)
    assert [r.status for r in pg_db.runs()] == ["succeeded"]


def test_a_syntax_error_in_a_pending_body_stops_the_upgrade_before_anything_runs(
    project: MiniProject, pg_db: Db
) -> None:
    """The identifiers read, the file is known in the graph: ``history`` does not need it;
    the upgrade plans it, imports it, and stops with nothing changed."""
    project.add("r1", TABLE.format(k=1), 'op.drop_table("t1")')
    project.add("r2", TABLE.format(k=2), 'op.drop_table("t2")')
    _break(project, "r2", "def broken(:")

    history = project.run(pg_db.url, "history")
    assert history.returncode == 0, project.explain(history)
    up = project.upgrade(pg_db.url)
    assert up.returncode == 2, project.explain(up)
    assert "syntax error in" in up.stderr and "r2.py" in up.stderr, up.stderr
    assert pg_db.heads() == ()
    assert not pg_db.has_table("t1")


def test_identifiers_that_cannot_be_read_stop_every_command(
    project: MiniProject, pg_db: Db
) -> None:
    """A file whose identifiers do not parse has no readable revision id: the graph cannot be
    known, so it is imported while the map is built, and its error stops any command."""
    project.add("r1", TABLE.format(k=1), 'op.drop_table("t1")')
    path = project.add("r2", TABLE.format(k=2), 'op.drop_table("t2")')
    path.write_text(path.read_text().replace("revision: str = 'r2'", "revision: str = ('r2'"))

    for args in (("upgrade",), ("history",)):
        proc = project.run(pg_db.url, *args)
        assert proc.returncode == 2, project.explain(proc)
        assert "syntax error in" in proc.stderr and "r2.py" in proc.stderr, proc.stderr
    assert pg_db.heads() == ()


def test_computed_identifiers_fall_back_to_importing_the_file(
    project: MiniProject, pg_db: Db
) -> None:
    project.add("r1", TABLE.format(k=1), 'op.drop_table("t1")')
    path = project.add("r2", TABLE.format(k=2), 'op.drop_table("t2")')
    path.write_text(path.read_text().replace("revision: str = 'r2'", 'revision: str = "r" + "2"'))

    proc = project.upgrade(pg_db.url)

    assert proc.returncode == 0, project.explain(proc)
    assert pg_db.heads() == ("r2",)
    assert pg_db.has_table("t2")
