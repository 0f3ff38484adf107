"""Text and files anyone may have written reach the operator's terminal safely (issue 9).

A flag's description, a reason or an actor may hold terminal escape sequences (from an import,
another tool, a careless paste): text output shows them as escapes and never sends them raw,
while JSON keeps them exact. An import file that is huge, not UTF-8, not JSON or absurdly deep
is refused with one line, exit 2, and nothing written.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import assert_fails, assert_ok, run_cli
from tests.cli.test_flags_cli import store_state

Flags = Callable[..., subprocess.CompletedProcess[str]]

CLEAR_SCREEN = "\x1b[2J"
SET_TITLE = "\x1b]0;title\x07"
BIDI_OVERRIDE = "\u202e"


@pytest.fixture
def flags(tmp_path: Path, pg_url: str) -> Flags:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_cli("flags", *args, url=pg_url, cwd=tmp_path)

    return run


def test_control_characters_are_shown_as_escapes_in_text_and_kept_exact_in_json(
    flags: Flags,
) -> None:
    description = f"one-page {CLEAR_SCREEN}checkout"
    reason = f"orders {SET_TITLE}failing"
    actor = f"ann{BIDI_OVERRIDE}"
    assert_ok(flags("create", "x", "--description", description))
    assert_ok(flags("enable", "x"))
    disabled = flags("disable", "x", "--reason", reason, "--actor", actor)
    assert_ok(disabled)

    for args in (("list",), ("history", "x"), ("show", "x")):
        out = flags(*args)
        assert_ok(out)
        assert "\x1b" not in out.stdout and "\x07" not in out.stdout, args
        assert BIDI_OVERRIDE not in out.stdout, args
    assert "one-page \\x1b[2Jcheckout" in flags("list").stdout
    history = flags("history", "x").stdout
    assert "orders \\x1b]0;title\\x07failing" in history
    assert "ann\\u202e" in history
    shown = flags("show", "x").stdout
    assert "one-page \\x1b[2Jcheckout" in shown
    assert "orders \\x1b]0;title\\x07failing" in shown
    assert "\x1b" not in disabled.stdout and "ann\\u202e" in disabled.stdout

    listed = json.loads(flags("list", "--format", "json").stdout)
    assert listed["flags"][0]["description"] == description
    entries = json.loads(flags("history", "x", "--format", "json").stdout)["entries"]
    assert (entries[-1]["reason"], entries[-1]["actor"]) == (reason, actor)
    detail = json.loads(flags("show", "x", "--format", "json").stdout)
    assert detail["last_change"]["reason"] == reason


def _nested(depth: int) -> str:
    inner = json.dumps({"name": "deep", "enabled": True, "strategies": [], "extra": 0})
    deep = "[" * depth + "1" + "]" * depth
    return '{"version": 2, "features": [' + inner.replace("0}", deep + "}") + "]}"


def _sparse_over_50_mb(file: Path) -> None:
    """50 MB and one byte of NULs, sparse: written in no time."""
    with file.open("wb") as out:
        out.truncate(50 * 1024 * 1024 + 1)


@pytest.mark.parametrize(
    ("write", "message"),
    [
        pytest.param(
            lambda f: f.write_text(_nested(100_000)),
            "nested more than 64 levels deep",
            id="100000-nested-arrays",
        ),
        pytest.param(
            lambda f: f.write_text(_nested(65)),
            "nested more than 64 levels deep",
            id="65-nested-arrays",
        ),
        pytest.param(
            lambda f: f.write_bytes(b'{"version": 2, "features": [{"name": "caf\xe9"}]}'),
            "not UTF-8 text (byte 41)",
            id="latin-1",
        ),
        pytest.param(lambda f: f.write_text('{"version": 2,'), "not JSON", id="truncated"),
        pytest.param(
            lambda f: f.write_text('{"version": NaN, "features": []}'),
            "not JSON: NaN is not a JSON value",
            id="nan",
        ),
        pytest.param(_sparse_over_50_mb, "larger than 50 MB", id="over-50-mb"),
        pytest.param(lambda f: f.mkdir(), "cannot read", id="a-directory"),
    ],
)
def test_a_hostile_import_file_is_one_line_exit_2_and_nothing_changed(
    flags: Flags,
    pg_url: str,
    tmp_path: Path,
    write: Callable[[Path], object],
    message: str,
) -> None:
    assert_ok(flags("create", "existing"))
    before = store_state(pg_url)
    file = tmp_path / "import.json"
    write(file)
    proc = flags("import", str(file))
    line = assert_fails(proc, 2)
    assert message in line, line
    assert str(file) in line
    assert "hint: nothing was imported" in proc.stderr
    assert store_state(pg_url) == before


def test_a_number_where_text_belongs_is_shown_not_a_crash(flags: Flags, tmp_path: Path) -> None:
    """Parsing is lenient (`"type": 5` reads as "5") and the store keeps the file as given:
    the text output must not fail on the number (it raised TypeError in rich's escape)."""
    file = tmp_path / "flags.json"
    feature = {"name": "odd", "enabled": True, "type": 5, "description": 7, "strategies": []}
    file.write_text(json.dumps({"version": 2, "features": [feature]}))
    assert_ok(flags("import", str(file)))
    listed = flags("list")
    assert_ok(listed)
    assert "odd" in listed.stdout and " 5 " in listed.stdout and " 7" in listed.stdout
    assert_ok(flags("show", "odd"))
