"""A client-features file is read within bounds: a hostile one is a start-up error, not a crash.

The bootstrap file (and `migsafe flags import`, tests/cli/test_flags_cli_untrusted_input.py)
go through `flags.jsonfile.read_json_file`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flags import FlagClient
from flags.errors import FlagConfigError, FlagDefinitionError
from flags.jsonfile import read_json_file

UNREACHABLE = "postgresql://u:p@127.0.0.1:1/db"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"[" * 100_000 + b"]" * 100_000, "nested more than 64 levels", id="deep"),
        pytest.param(b'{"a": "caf\xe9"}', "not UTF-8 text (byte 10)", id="latin-1"),
        pytest.param(b'{"a": Infinity}', "Infinity is not a JSON value", id="infinity"),
        pytest.param(b'{"a": ' + b"9" * 5000 + b"}", "not JSON", id="huge-integer"),
    ],
)
def test_a_hostile_bootstrap_is_a_definition_error(
    tmp_path: Path, content: bytes, message: str
) -> None:
    file = tmp_path / "bootstrap.json"
    file.write_bytes(content)
    with pytest.raises(FlagDefinitionError, match=re.escape(message)):
        FlagClient.from_database(UNREACHABLE, bootstrap=file)


def test_the_limits_are_where_they_say(tmp_path: Path) -> None:
    file = tmp_path / "doc.json"
    file.write_text("[" * 64 + "]" * 64)
    assert read_json_file(file) == _nest(64)
    file.write_text("[" * 65 + "]" * 65)
    with pytest.raises(FlagDefinitionError, match="nested more than 64 levels deep"):
        read_json_file(file)
    file.write_text('{"a": 1}')
    assert read_json_file(file, max_bytes=8) == {"a": 1}
    with pytest.raises(FlagDefinitionError, match="larger than 7 bytes"):
        read_json_file(file, max_bytes=7)
    with pytest.raises(FlagConfigError, match="cannot read"):
        read_json_file(tmp_path / "missing.json")


def _nest(depth: int) -> object:
    value: list[object] = []
    for _ in range(depth - 1):
        value = [value]
    return value
