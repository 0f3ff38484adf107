"""Unleash behaviours the shared specification does not cover, pinned from its engine.

Each case was checked against `yggdrasil-engine` (Unleash's Rust engine, the one
behind its Python, Java, .NET, Ruby and PHP SDKs) while writing this engine;
`test_flags_differential.py` re-checks them at random where that engine is installed.
"""

from __future__ import annotations

from typing import Any

import mmh3
import pytest

from flags import Engine


def _engine(*features: dict[str, Any], segments: list[dict[str, Any]] | None = None) -> Engine:
    return Engine(
        {"version": 2, "features": list(features), "segments": segments or []}, hostname="h"
    )


def _feature(name: str, strategies: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {"name": name, "enabled": True, "strategies": strategies, **fields}


def _constraint(field: str, operator: str, **rest: Any) -> dict[str, Any]:
    return {"contextName": field, "operator": operator, **rest}


def _with_fallback(constraint: dict[str, Any]) -> Engine:
    """A feature whose second strategy is on for everyone: only a fatal constraint turns it off."""
    return _engine(
        _feature("f", [{"name": "default", "constraints": [constraint]}, {"name": "default"}])
    )


@pytest.mark.parametrize(
    "constraint",
    [
        _constraint("x", "NOT_AN_OPERATOR", values=["a"]),
        _constraint("x", "NUM_EQ", value="twelve"),
        _constraint("x", "NUM_EQ"),
        _constraint("currentTime", "DATE_AFTER", value="2024-01-01"),
        _constraint("x", "STR_CONTAINS", values=[]),
        _constraint("remoteAddress", "IN_CIDR", value="10.0.0.0/8"),
    ],
    ids=[
        "unknown-operator",
        "non-numeric",
        "no-value",
        "date-without-time",
        "no-strings",
        "cidr-without-values",
    ],
)
def test_an_unusable_constraint_turns_the_whole_feature_off(constraint: dict[str, Any]) -> None:
    assert _with_fallback(constraint).is_enabled("f") is False


@pytest.mark.parametrize(
    "constraint",
    [
        _constraint("x", "SEMVER_EQ", value="not-a-version"),
        _constraint("x", "REGEX", value="(unclosed"),
        _constraint("remoteAddress", "IN_CIDR", values=["bad"]),
    ],
    ids=["bad-semver-is-fatal-too", "invalid-regex-only-false", "invalid-cidr-only-false"],
)
def test_some_bad_values_only_make_their_constraint_false(constraint: dict[str, Any]) -> None:
    expected = constraint["operator"] != "SEMVER_EQ"
    assert _with_fallback(constraint).is_enabled("f") is expected


def test_the_literal_not_the_operator_decides_the_comparison() -> None:
    """Unleash compiles `SEMVER_LT 1.2` to `x < 1.2`: a numeric comparison."""
    engine = _engine(
        _feature(
            "f", [{"name": "default", "constraints": [_constraint("v", "SEMVER_LT", value="1.2")]}]
        )
    )
    assert engine.is_enabled("f", {"v": "1"}) is True
    assert engine.is_enabled("f", {"v": "1.0.0"}) is False


def test_a_v_prefixed_version_is_refused_even_when_inverted() -> None:
    constraint = _constraint("v", "SEMVER_EQ", value="v1.0.0", inverted=True)
    engine = _engine(_feature("f", [{"name": "default", "constraints": [constraint]}]))
    assert engine.is_enabled("f", {"v": "2.0.0"}) is False


def test_a_missing_segment_turns_the_whole_feature_off() -> None:
    engine = _engine(_feature("f", [{"name": "default"}, {"name": "default", "segments": [404]}]))
    assert engine.is_enabled("f") is False


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        (_constraint("x", "NOT_IN", values=["a"]), True),
        (_constraint("x", "IN", values=["a"], inverted=True), True),
        (_constraint("x", "NUM_GT", value="1", inverted=True), True),
        (_constraint("x", "STR_CONTAINS", values=["a"]), False),
    ],
    ids=["not-in", "inverted-in", "inverted-number", "contains"],
)
def test_a_missing_field(constraint: dict[str, Any], expected: bool) -> None:
    engine = _engine(_feature("f", [{"name": "default", "constraints": [constraint]}]))
    assert engine.is_enabled("f", {}) is expected


def test_a_top_level_field_wins_over_properties() -> None:
    engine = _engine(
        _feature(
            "f", [{"name": "default", "constraints": [_constraint("country", "IN", values=["no"])]}]
        )
    )
    assert engine.is_enabled("f", {"country": "no", "properties": {"country": "se"}}) is True
    assert engine.is_enabled("f", {"country": "se", "properties": {"country": "no"}}) is False
    assert engine.is_enabled("f", {"properties": {"country": "no"}}) is True


def test_list_values_are_not_trimmed_but_user_ids_are() -> None:
    engine = _engine(
        _feature(
            "in",
            [{"name": "default", "constraints": [_constraint("userId", "IN", values=[" 1 "])]}],
        ),
        _feature("ids", [{"name": "userWithId", "parameters": {"userIds": " 1 , 2"}}]),
    )
    assert engine.is_enabled("in", {"userId": "1"}) is False
    assert engine.is_enabled("ids", {"userId": "1"}) is True


def test_the_first_strategy_that_is_on_decides_the_variants() -> None:
    variants = [{"name": "from-strategy", "weight": 1}]
    engine = _engine(
        _feature(
            "f",
            [
                {"name": "userWithId", "parameters": {"userIds": "a"}},
                {"name": "default", "variants": variants},
            ],
            variants=[{"name": "from-feature", "weight": 1}],
        )
    )
    assert engine.get_variant("f", {"userId": "a"}).name == "from-feature"
    assert engine.get_variant("f", {"userId": "b"}).name == "from-strategy"


def test_strategy_variants_stick_on_the_strategys_stickiness() -> None:
    variants = [{"name": f"v{i}", "weight": 1, "stickiness": "userId"} for i in range(10)]
    parameters = {"rollout": "100", "stickiness": "sessionId", "groupId": "g"}
    engine = _engine(
        _feature("f", [{"name": "flexibleRollout", "parameters": parameters, "variants": variants}])
    )
    for session in map(str, range(20)):
        expected = mmh3.hash(f"g:{session}", 86028157, signed=False) % 10
        assert engine.get_variant("f", {"userId": "u", "sessionId": session}).name == f"v{expected}"


def test_a_parent_rollout_without_group_hashes_on_the_childs_name() -> None:
    parent = _feature(
        "parent",
        [{"name": "flexibleRollout", "parameters": {"rollout": "50", "stickiness": "userId"}}],
    )
    child = _feature("child", [], dependencies=[{"feature": "parent"}])
    engine = _engine(parent, child)
    for user in map(str, range(40)):
        in_child_group = mmh3.hash(f"child:{user}", 0, signed=False) % 100 < 50
        assert engine.is_enabled("child", {"userId": user}) is in_child_group


def test_a_disabled_parent_still_has_its_variant_checked() -> None:
    parent = {
        "name": "parent",
        "enabled": False,
        "strategies": [],
        "variants": [{"name": "a", "weight": 1}],
    }
    wants_a = _feature(
        "wants_a", [], dependencies=[{"feature": "parent", "enabled": False, "variants": ["a"]}]
    )
    wants_b = _feature(
        "wants_b", [], dependencies=[{"feature": "parent", "enabled": False, "variants": ["b"]}]
    )
    engine = _engine(parent, wants_a, wants_b)
    assert engine.is_enabled("wants_a") is True
    assert engine.is_enabled("wants_b") is False


def test_a_parent_without_variants_satisfies_any_variant_list() -> None:
    engine = _engine(
        _feature("parent", []),
        _feature("child", [], dependencies=[{"feature": "parent", "variants": ["x"]}]),
    )
    assert engine.is_enabled("child") is True


@pytest.mark.parametrize(
    ("percentage", "expected"), [("1", False), ("100", True), ("150", True), ("x", False)]
)
def test_gradual_rollout_random_bounds(percentage: str, expected: bool) -> None:
    engine = _engine(
        _feature("f", [{"name": "gradualRolloutRandom", "parameters": {"percentage": percentage}}])
    )
    assert all(engine.is_enabled("f") is expected for _ in range(50))


@pytest.mark.parametrize("rollout", ["50.5", " 50", "-1", "150", ""])
def test_a_rollout_that_is_not_a_whole_percentage_is_off(rollout: str) -> None:
    parameters = {"rollout": rollout, "stickiness": "userId", "groupId": "g"}
    engine = _engine(_feature("f", [{"name": "flexibleRollout", "parameters": parameters}]))
    assert not any(engine.is_enabled("f", {"userId": str(i)}) for i in range(50))


def test_an_empty_string_is_a_value() -> None:
    parameters = {"rollout": "100", "stickiness": "userId", "groupId": "g"}
    engine = _engine(_feature("f", [{"name": "flexibleRollout", "parameters": parameters}]))
    assert engine.is_enabled("f", {"userId": ""}) is True
    assert engine.is_enabled("f", {}) is False


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1e1", True),
        ("inf", True),
        ("+12", True),
        (".5", False),
        (" 12", False),
        ("1_2", False),
        ("0x10", False),
        ("nan", False),
    ],
)
def test_numbers_are_read_like_rust_floats(value: str, expected: bool) -> None:
    engine = _engine(
        _feature(
            "f", [{"name": "default", "constraints": [_constraint("n", "NUM_GTE", value="1")]}]
        )
    )
    assert engine.is_enabled("f", {"n": value}) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022-01-22T13:00:01Z", True),
        ("2022-01-22 13:00:01Z", True),
        ("2022-01-22t13:00:01z", True),
        ("2022-01-22T13:00:00.000000001Z", True),
        ("2022-01-22T13:00:00Z", False),
        ("2022-01-22T15:00:01+02:00", True),
        ("2022-01-22T13:00:01", False),
        ("2022-01-23", False),
    ],
)
def test_instants_are_rfc3339_to_the_nanosecond(value: str, expected: bool) -> None:
    after = _constraint("currentTime", "DATE_AFTER", value="2022-01-22T13:00:00Z")
    engine = _engine(_feature("f", [{"name": "default", "constraints": [after]}]))
    assert engine.is_enabled("f", {"currentTime": value}) is expected
