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


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_result_dict_holds_only_plain_json_values(name: str) -> None:
    """Enums come out as their plain value, datetimes as text: what json.loads gives back."""
    odd = [v for v in _leaves(as_dict(name)) if type(v) not in (str, int, float, bool, type(None))]
    assert odd == []
