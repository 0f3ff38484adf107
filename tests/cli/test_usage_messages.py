"""Usage mistakes a newcomer makes, answered with where to go next (exit 2, nothing changed)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from migsafe.cli.usage import normalise_args
from tests.cli.conftest import Db, add_revision, assert_fails, assert_ok, run_cli

ProjectFn = Callable[[str], Path]


@pytest.mark.parametrize(
    ("argv", "option", "example"),
    [
        (["status", "--database-url", "sqlite:///x.db"], "--database-url", "--database-url URL"),
        (["status", "-c", "alembic.ini"], "-c", "-c FILE"),
        (["snapshot", "list", "--debug"], "--debug", "--debug"),
        (["upgrade", "-x", "tenant=a"], "-x", "-x KEY=VALUE"),
    ],
    ids=["database-url", "config", "debug", "x-arg"],
)
def test_root_option_after_the_command_says_where_it_goes(
    tmp_path: Path, argv: list[str], option: str, example: str
) -> None:
    proc = run_cli(*argv, cwd=tmp_path)
    line = assert_fails(proc, 2)
    command = " ".join(a for a in argv[:2] if not a.startswith("-"))
    assert line == f"error: {option} goes before the command: migsafe {example} {command}"
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_option_still_points_at_the_help(tmp_path: Path) -> None:
    line = assert_fails(run_cli("status", "--bogus", cwd=tmp_path), 2)
    assert "No such option: --bogus" in line


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["upgrade", "--backup"], ["upgrade", "--backup=full"]),
        (["upgrade", "--backup", "full"], ["upgrade", "--backup=full"]),
        (["upgrade", "--backup", "tables", "rev1"], ["upgrade", "--backup=tables", "rev1"]),
        (["upgrade", "--backup", "rev1"], ["upgrade", "--backup=full", "rev1"]),
        (["upgrade", "--backup=tables"], ["upgrade", "--backup=tables"]),
        (["upgrade", "--", "--backup"], ["upgrade", "--", "--backup"]),
    ],
    ids=["alone", "full-word", "tables-word", "then-target", "attached", "after-dashdash"],
)
def test_backup_takes_its_value_as_a_separate_word(argv: list[str], expected: list[str]) -> None:
    assert normalise_args(argv) == expected


def test_backup_tables_as_two_words_is_not_a_target(project: ProjectFn, pg: Db) -> None:
    ini = project("generic") / "alembic.ini"
    before = pg.fingerprint()

    proc = run_cli("upgrade", "--backup", "tables", "--dry-run", ini=ini, url=pg.url)
    assert_ok(proc)
    assert "(target head)" in proc.stdout
    assert "note: would snapshot" in proc.stdout and "whole database" not in proc.stdout
    assert pg.fingerprint() == before


# -- revision names: a typo says so, with the closest names ------------------------------------

SPLIT = '''"""split names"""
revision = "gen0004_split_names"
down_revision = "gen0003"

from alembic import op
import sqlalchemy as sa


def upgrade() -> None:
    op.add_column("users", sa.Column("first_name", sa.String(50)))


def downgrade() -> None:
    op.drop_column("users", "first_name")
'''


@pytest.fixture
def applied(project: ProjectFn, pg: Db) -> Path:
    """The generic project plus a descriptively named revision, all applied."""
    proj = project("generic")
    add_revision(proj, "gen0004_split_names.py", SPLIT)
    assert_ok(run_cli("upgrade", ini=proj / "alembic.ini", url=pg.url))
    return proj / "alembic.ini"


def test_revert_to_a_mistyped_revision_names_the_closest(applied: Path, pg: Db) -> None:
    before, runs = pg.fingerprint(), len(pg.runs())

    proc = run_cli("revert", "--to", "gen0004_spilt_names", "--yes", ini=applied, url=pg.url)
    line = assert_fails(proc, 2)
    assert line == "error: no such revision 'gen0004_spilt_names'"
    hint = proc.stderr.split("hint: ", 1)[1]
    assert hint.startswith("did you mean gen0004_split_names")
    assert "snapshot" not in proc.stderr  # not the last resort for a typo
    assert pg.fingerprint() == before
    assert pg.versions() == {"gen0004_split_names"}
    assert len(pg.runs()) == runs


def test_upgrade_to_a_mistyped_revision_names_the_closest(project: ProjectFn, pg: Db) -> None:
    ini = project("generic") / "alembic.ini"
    before = pg.fingerprint()

    proc = run_cli("upgrade", "gen0002x", ini=ini, url=pg.url)
    assert assert_fails(proc, 2) == "error: no such revision 'gen0002x'"
    assert "hint: did you mean gen0002" in proc.stderr
    assert pg.fingerprint() == before
    assert pg.versions() == set()


def test_reverse_show_of_a_mistyped_revision_names_the_closest(applied: Path, pg: Db) -> None:
    proc = run_cli("reverse", "show", "gen0004_spilt_names", ini=applied, url=pg.url)
    line = assert_fails(proc, 2)
    assert "no reverse script is stored for revision 'gen0004_spilt_names'" in line
    assert "hint: did you mean gen0004_split_names" in proc.stderr


def test_revert_steps_at_base_has_nothing_to_do(project: ProjectFn, pg: Db) -> None:
    ini = project("generic") / "alembic.ini"
    before = pg.fingerprint()

    proc = run_cli("revert", "--steps", "1", "--yes", ini=ini, url=pg.url)
    assert_ok(proc)
    assert "nothing to revert: the database is at base" in proc.stdout
    assert "Relative revision" not in proc.stdout + proc.stderr
    assert pg.fingerprint() == before
    assert pg.versions() == set()


def test_revert_more_steps_than_there_are_says_how_many(applied: Path, pg: Db) -> None:
    before = pg.fingerprint()

    proc = run_cli("revert", "--steps", "9", "--yes", ini=applied, url=pg.url)
    line = assert_fails(proc, 2)
    assert line == (
        "error: --steps 9: the database is only 4 revision(s) above base (at gen0004_split_names)"
    )
    assert "hint: --steps 4 (or --to base)" in proc.stderr
    assert pg.fingerprint() == before
    assert pg.versions() == {"gen0004_split_names"}
