"""The JSON every result prints is pinned: refactoring how results become dicts changes none.

``result_dicts.json`` holds, for each sample of :mod:`tests.support.result_samples`, the
document ``--format json`` prints for it (before ``ok`` is added), key order included.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.result_samples import SAMPLES, as_dict

EXPECTED: dict[str, Any] = json.loads(
    (Path(__file__).parent / "result_dicts.json").read_text(encoding="utf-8")
)


def test_every_sample_is_pinned() -> None:
    assert sorted(EXPECTED) == sorted(SAMPLES)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_json_of_result_is_unchanged(name: str) -> None:
    printed = json.dumps(as_dict(name), indent=2, default=str)
    assert printed == json.dumps(EXPECTED[name], indent=2)
