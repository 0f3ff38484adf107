"""Usage mistakes a newcomer makes, answered with where to go next (exit 2, nothing changed)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from migsafe.cli.usage import normalise_args
from tests.cli.conftest import Db, assert_fails, assert_ok, run_cli

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
