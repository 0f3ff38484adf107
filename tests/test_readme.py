"""The README's two commands stay true: the quickstart runs, CI runs the same test command."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _commands() -> list[str]:
    """The indented command lines of the 'Two commands' section."""
    section = README.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return [line.strip() for line in section.splitlines() if line.startswith("    ")]


def test_readme_has_exactly_two_commands_and_ci_runs_the_test_one() -> None:
    install, test = _commands()
    assert "pip install -e '.[dev]'" in install
    assert test in (ROOT / ".ci" / "run").read_text()


def test_quickstart_runs_on_the_sample_app(tmp_path: Path) -> None:
    install, _ = _commands()
    migsafe_calls = [
        shlex.split(part.strip())
        for part in install.split("&&")
        if part.strip().startswith(".venv/bin/migsafe")
    ]
    assert [call[-1] for call in migsafe_calls] == ["upgrade", "history"]
    shutil.copytree(
        ROOT / "sample_app",
        tmp_path / "sample_app",
        ignore=shutil.ignore_patterns("*.db", "__pycache__"),
    )
    outputs = []
    for call in migsafe_calls:
        done = subprocess.run(
            [sys.executable, "-m", "migsafe", *call[1:]],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert re.search(r"applied 8 migrations", outputs[0])
    assert "succeeded" in outputs[1]
    assert (tmp_path / "sample_app" / "shop.db").is_file()
