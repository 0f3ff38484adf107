"""The documented examples stay true: every `migsafe` command line the docs show exists in the
CLI, and the sample app's tour runs as written and prints what the docs show.

What counts as an example: a code block of README.md, docs/*.md or sample_app/README.md, fenced
or indented by four spaces. In it, every shell command that runs `migsafe` (after a `$ ` prompt,
`VAR=value` assignments or a path such as `.venv/bin/`) is parsed with the CLI's own click
command tree: each subcommand and option it names must exist, and no argument may be left over.

The blocks of README.md and sample_app/README.md also run, in order, in a copy of the sample app
(SQLite, the database the quickstart uses), one line at a time through bash, with `migsafe`,
`alembic` and `python` (and `.venv/bin/...`) being this checkout's. Conventions, for writers:

- `<!-- not run: WHY -->` on the line before a block: its lines are only parsed, not run;
  `<!-- not checked: WHY -->`: neither (a synopsis with placeholders);
  `<!-- run on PostgreSQL -->`: run against a fresh PostgreSQL database, which
  `MIGSAFE_DATABASE_URL` and `SHOP_DATABASE_URL` name (the docs say so in their prose).
- A command's trailing comment `# ... exit N ...` says its exit code; without one it must be 0.
- `#> TEXT` lines after a command show its output (stdout or stderr): each must match one line
  of it, where `...` stands for anything and run ids and durations may differ. A `#>` line whose
  text starts with two spaces continues the line above.
- `RUN_ID` in a command stands for the `run_id` of the last `--format json` output.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer.main

from migsafe.cli import app, commands, flags, reverse, snapshot  # noqa: F401  (registers them)

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "sample_app/README.md"]
RUNNABLE = [ROOT / "README.md", ROOT / "sample_app/README.md"]
SEPARATORS = {"&&", "||", ";", "|", "&", ">", ">>", "<", "(", ")"}
MARKER = re.compile(r"<!--\s*(not run|not checked|run on PostgreSQL)\b.*-->")


@dataclass(frozen=True)
class Block:
    """One code block: where it starts, its lines, and what its marker (if any) says."""

    path: Path
    line: int
    lines: tuple[str, ...]
    marker: str | None  # "not run", "not checked" or "run on PostgreSQL"

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def blocks(path: Path) -> list[Block]:
    """The fenced and four-space indented code blocks of a Markdown file."""
    found: list[Block] = []
    lines = path.read_text().splitlines()
    marker: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            end = i + 1
            while end < len(lines) and not lines[end].startswith("```"):
                end += 1
            found.append(Block(path, i + 2, tuple(lines[i + 1 : end]), marker))
            marker, i = None, end + 1
            continue
        if line.startswith("    ") and line.strip() and (i == 0 or not lines[i - 1].strip()):
            end = i
            while end < len(lines) and (lines[end].startswith("    ") or not lines[end].strip()):
                end += 1
            body = [text[4:] for text in lines[i:end]]
            while body and not body[-1].strip():
                body.pop()
            found.append(Block(path, i + 1, tuple(body), marker))
            marker, i = None, end
            continue
        if line.strip():
            match = MARKER.search(line)
            marker = match.group(1) if match else None
        i += 1
    return found


def split_command(line: str) -> tuple[list[list[str]], str]:
    """The simple commands of a shell line, and its trailing comment."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    tokens = list(lexer)
    comment = ""
    for index, token in enumerate(tokens):
        if token.startswith("#"):
            comment, tokens = " ".join(tokens[index:]), tokens[:index]
            break
    parts: list[list[str]] = [[]]
    for token in tokens:
        if token in SEPARATORS:
            parts.append([])
        else:
            parts[-1].append(token)
    return [part for part in parts if part], comment


def migsafe_args(words: list[str]) -> list[str] | None:
    """The arguments of a `migsafe` call, or None when the command is something else."""
    while words and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[0]):
        words = words[1:]
    if words and (words[0] == "migsafe" or words[0].endswith("/migsafe")):
        return words[1:]
    return None


def commands_in(line: str) -> list[list[str]]:
    text = line.strip()
    text = text[2:] if text.startswith("$ ") else text
    if not text or text.startswith(("#", "//")):
        return []
    try:
        parts, _ = split_command(text)
    except ValueError:  # not shell (unbalanced quotes in output or JSON)
        return []
    # Output lines (`error: ...; migsafe ...`) are not commands: a command line starts with
    # the command, a `VAR=value` or a path.
    if not parts or not re.fullmatch(r"[\w./~-]+|[A-Za-z_]\w*=.*", parts[0][0]):
        return []
    return [args for part in parts if (args := migsafe_args(part)) is not None]


def documented_calls() -> list[pytest.ParameterSet]:
    calls = []
    for path in DOCS:
        for block in blocks(path):
            if block.marker == "not checked":
                continue
            for offset, line in enumerate(block.lines):
                for args in commands_in(line):
                    where = f"{path.relative_to(ROOT)}:{block.line + offset}"
                    calls.append(pytest.param(args, id=where))
    return calls


def parse(args: list[str]) -> str:
    """The command path `args` reach; fails on an unknown command or option, or a left-over
    argument. Values are not checked: the docs write placeholders (`N`, `DURATION`, `ID`)."""
    # As migsafe.cli.main does: `--backup` alone means `--backup=full`.
    rest = ["--backup=full" if arg == "--backup" else arg for arg in args]
    command = typer.main.get_command(app)
    name, parent = "migsafe", None
    while True:
        # A context to parse in (no values converted), then click's own option parser.
        ctx = command.make_context(name, [], parent=parent, resilient_parsing=True)
        ctx.resilient_parsing = False
        _, rest, _ = command.make_parser(ctx).parse_args(list(rest))
        if not hasattr(command, "resolve_command"):
            break
        assert rest, f"`{ctx.command_path}` needs a subcommand"
        sub_name, sub, rest = command.resolve_command(ctx, rest)
        assert sub is not None and sub_name is not None
        command, name, parent = sub, sub_name, ctx
    assert not rest, f"`{ctx.command_path}` takes no argument {rest}"
    return ctx.command_path


def test_the_docs_show_migsafe_commands() -> None:
    """The collection below found the examples (a parser that finds none checks nothing)."""
    calls = documented_calls()
    assert len(calls) > 50
    assert {str(call.id).split(":")[0] for call in calls} >= {"README.md", "docs/cli.md"}


@pytest.mark.parametrize("args", documented_calls())
def test_documented_command_exists_in_the_cli(args: list[str]) -> None:
    """A reader copies the command: an option renamed or removed since must show up here."""
    try:
        parse(args)
    except typer.TyperException as exc:  # click's usage errors
        pytest.fail(f"migsafe {shlex.join(args)}: {exc}")


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["status", "--database-url", "x"], id="root-option-after-command"),
        pytest.param(["upgrade", "--no-such"], id="unknown-option"),
        pytest.param(["snapshot", "take"], id="unknown-subcommand"),
        pytest.param(["status", "extra"], id="extra-argument"),
    ],
)
def test_the_check_rejects_what_the_cli_rejects(args: list[str]) -> None:
    """The check above can fail: what migsafe itself refuses, it refuses too."""
    with pytest.raises((typer.TyperException, AssertionError)):
        parse(args)


# The tour: README.md and sample_app/README.md run as written.


@dataclass
class Step:
    command: str
    where: str
    exit_code: int = 0
    expected: list[str] | None = None


def steps(block: Block) -> list[Step]:
    found: list[Step] = []
    pending = ""
    for offset, raw in enumerate(block.lines):
        line = raw.strip()
        if line.startswith("#>"):
            text = line[2:].removeprefix(" ")
            assert found, f"{block.where}: output shown before any command"
            step = found[-1]
            step.expected = step.expected or []
            if raw.strip()[2:].startswith("   ") and step.expected:
                step.expected[-1] += " " + text.strip()
            else:
                step.expected.append(text)
            continue
        if not line or line.startswith("#"):
            continue
        line = pending + line
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        pending = ""
        _, comment = split_command(line)
        code = re.search(r"\bexit (\d+)\b", comment)
        where = f"{block.where.rsplit(':', 1)[0]}:{block.line + offset}"
        found.append(Step(line, where, int(code.group(1)) if code else 0))
    return found


def pattern(expected: str) -> re.Pattern[str]:
    """A shown output line as a regex: `...` is anything; run ids and durations vary."""
    parts = []
    for piece in re.split(r"(\.\.\.|\b[0-9a-f]{12}\b|\b\d+\.\d+s\b)", expected.strip()):
        if piece == "...":
            parts.append(".*")
        elif re.fullmatch(r"[0-9a-f]{12}", piece):
            parts.append("[0-9a-f]{12}")
        elif re.fullmatch(r"\d+\.\d+s", piece):
            parts.append(r"\d+(\.\d+)?s")
        else:
            parts.append(re.escape(piece))
    return re.compile("".join(parts))


def tour_copy(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the sample app, and an environment where the documented tools are ours."""
    shutil.copytree(
        ROOT / "sample_app",
        tmp_path / "sample_app",
        ignore=shutil.ignore_patterns("*.db", "__pycache__", ".migsafe"),
    )
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name, module in {
        "migsafe": "-m migsafe",
        "alembic": "-m alembic",
        "python": "",
        "python3": "",
    }.items():
        shim = bin_dir / name
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" {module} "$@"\n')
        shim.chmod(0o755)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MIGSAFE_", "SHOP_", "PG"))
    }
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "160"
    return tmp_path, env


@pytest.mark.parametrize("path", RUNNABLE, ids=lambda path: str(path.relative_to(ROOT)))
def test_the_tour_runs_as_written(path: Path, tmp_path: Path) -> None:
    """A newcomer follows the README on a fresh clone: each step does and prints what it says."""
    cwd, env = tour_copy(tmp_path)
    tour = [step for block in blocks(path) if block.marker is None for step in steps(block)]
    assert any(step.expected for step in tour), "no output shown to check"
    run(tour, cwd, env)


@pytest.mark.parametrize("path", RUNNABLE, ids=lambda path: str(path.relative_to(ROOT)))
def test_the_postgresql_blocks_run_as_written(path: Path, tmp_path: Path, pg_url: str) -> None:
    """The flags need PostgreSQL: their examples run against the suite's server."""
    cwd, env = tour_copy(tmp_path)
    env["MIGSAFE_DATABASE_URL"] = env["SHOP_DATABASE_URL"] = pg_url
    marked = [block for block in blocks(path) if block.marker == "run on PostgreSQL"]
    assert marked, "no block marked to run on PostgreSQL"
    run([step for block in marked for step in steps(block)], cwd, env)


def run(tour: list[Step], cwd: Path, env: dict[str, str]) -> None:
    """Each step through bash, in order; its exit code and shown output must be as written."""
    run_id: str | None = None
    for step in tour:
        command = step.command
        if "RUN_ID" in command:
            assert run_id, f"{step.where}: RUN_ID before any --format json output"
            command = command.replace("RUN_ID", run_id)
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        output = done.stdout + done.stderr
        context = f"{step.where}: {step.command}\n--- output ---\n{output}"
        assert done.returncode == step.exit_code, context
        if "--format json" in command and done.stdout.strip():
            run_id = json.loads(done.stdout).get("run_id") or run_id
        for expected in step.expected or []:
            regex = pattern(expected)
            assert any(regex.fullmatch(line.strip()) for line in output.splitlines()), (
                f"shown as output: {expected}\n{context}"
            )
