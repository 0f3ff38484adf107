"""`--help` of every command, pinned: what a newcomer reads first must not change unnoticed.

Each command's help is rendered at a fixed width (COLUMNS=100, NO_COLOR) by the real CLI and
compared with tests/cli/help/<command>.txt. After a deliberate change, regenerate them with

    MIGSAFE_UPDATE_HELP=1 .venv/bin/pytest -q tests/cli/test_help.py

and review the diff (`git diff tests/cli/help`) before committing it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from migsafe import cli
from migsafe.cli import commands, flags, reverse, snapshot  # noqa: F401  (they register)
from tests.cli.conftest import cli_env

HELP_DIR = Path(__file__).parent / "help"
UPDATE = os.environ.get("MIGSAFE_UPDATE_HELP") == "1"
ROOT_OPTIONS = ("-c", "--database-url", "--debug", "-x")


def _command_paths() -> list[tuple[str, ...]]:
    """Every command and group of the CLI, the root first, found from the app itself."""
    root = typer.main.get_command(cli.app)
    found: list[tuple[str, ...]] = []

    def walk(command: object, path: tuple[str, ...]) -> None:
        found.append(path)
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, (*path, name))

    walk(root, ())
    return found


COMMANDS = _command_paths()


def _help(path: tuple[str, ...]) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "migsafe", *path, "--help"],
        env=cli_env({"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return "\n".join(line.rstrip() for line in proc.stdout.splitlines()) + "\n"


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "migsafe")
def test_help_matches_its_snapshot(path: tuple[str, ...]) -> None:
    text = _help(path)
    snapshot_file = HELP_DIR / ("_".join(path or ("migsafe",)) + ".txt")
    if UPDATE:
        snapshot_file.write_text(text)
    assert snapshot_file.exists(), f"no {snapshot_file.name}: run with MIGSAFE_UPDATE_HELP=1"
    assert text == snapshot_file.read_text(), (
        f"`migsafe {' '.join(path)} --help` changed; regenerate with MIGSAFE_UPDATE_HELP=1 and "
        "review the diff"
    )
    # What the snapshots must keep saying, whatever else changes in them.
    assert "<bool>" not in text, "a switch is shown as taking a value"
    assert all(len(line) <= 100 for line in text.splitlines())
    if path:
        assert "Global options, given before the command" in text
        for option in ROOT_OPTIONS:
            assert option in text


def test_every_snapshot_belongs_to_a_command() -> None:
    """A command renamed or removed must take its snapshot with it."""
    expected = {"_".join(p or ("migsafe",)) + ".txt" for p in COMMANDS}
    assert {f.name for f in HELP_DIR.glob("*.txt")} == expected


def test_defaults_are_shown() -> None:
    text = _help(("upgrade",))
    for shown in ("[default: 5s]", "[default: 3]", "[default: 60s]", "--backup=tables"):
        assert shown in text
