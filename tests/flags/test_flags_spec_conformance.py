"""Unleash's client specification, every case: evaluation must follow Unleash's semantics.

The cases are the shared conformance suite every Unleash SDK runs, installed from npm
(tests/support/unleash_spec.py). Files 19 and 20 test the delta API, which the engine
does not take.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from flags import Engine, Variant
from tests.support import unleash_spec

FILES = unleash_spec.files()


def _cases(kind: str) -> list[Any]:
    if FILES == [unleash_spec.UNAVAILABLE]:  # the test fails, saying why
        return [pytest.param(FILES[0], {}, id=FILES[0])]
    params = []
    for name in FILES:
        suite = unleash_spec.load(name)
        for case in suite.get(kind, []):
            case_id = f"{name.removesuffix('.json')}: {case['description']}"
            params.append(pytest.param(name, case, id=case_id))
    return params


@cache
def _engine(name: str) -> Engine:
    suite = unleash_spec.load(name)
    return Engine(suite["state"], hostname="spec-host")


def _as_spec(variant: Variant) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": variant.name,
        "enabled": variant.enabled,
        "feature_enabled": variant.feature_enabled,
    }
    if variant.payload is not None:
        out["payload"] = {"type": variant.payload.type, "value": variant.payload.value}
    return out


def test_every_specification_file_is_here() -> None:
    """A file missing from the installed package would silently drop its cases."""
    spec = unleash_spec.spec_dir()
    assert len(FILES) == 20
    assert all((spec / name).is_file() for name in FILES)
    assert (spec.parent / "LICENSE").is_file()


@pytest.mark.parametrize(("name", "case"), _cases("tests"))
def test_is_enabled_matches_the_specification(name: str, case: dict[str, Any]) -> None:
    engine = _engine(name)
    assert engine.is_enabled(case["toggleName"], case["context"]) is case["expectedResult"]


@pytest.mark.parametrize(("name", "case"), _cases("variantTests"))
def test_get_variant_matches_the_specification(name: str, case: dict[str, Any]) -> None:
    engine = _engine(name)
    assert (
        _as_spec(engine.get_variant(case["toggleName"], case["context"])) == case["expectedResult"]
    )
