"""The engine's contract with the host application: answers, and never an exception."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from flags import Engine, Payload, Variant, parse_client_features
from flags.evaluate.context import Context, Predicate
from flags.evaluate.strategies import StrategyOptions


def _state(
    *features: dict[str, Any], segments: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {"version": 2, "features": list(features), "segments": segments or []}


def _feature(name: str, *strategies: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"name": name, "enabled": True, "strategies": list(strategies), **fields}


def _constrained(*constraints: dict[str, Any]) -> dict[str, Any]:
    return {"name": "default", "constraints": list(constraints)}


def test_unknown_flag_gives_the_callers_default() -> None:
    engine = Engine(_state())
    assert engine.is_enabled("nope") is False
    assert engine.is_enabled("nope", default=True) is True
    assert engine.get_variant("nope") == Variant("disabled", enabled=False, feature_enabled=False)


def test_a_known_flag_ignores_the_default() -> None:
    """`default` is for flags the engine does not know, not for flags that are off."""
    engine = Engine(_state({"name": "off", "enabled": False, "strategies": []}))
    assert engine.is_enabled("off", default=True) is False


def test_a_malformed_flag_is_off_not_unknown() -> None:
    """A kill switch must stay off if its row is damaged, whatever default the caller passes."""
    engine = Engine(_state({"name": "damaged", "enabled": "yes"}, _feature("fine")))
    assert engine.is_enabled("damaged", default=True) is False
    assert engine.is_enabled("fine") is True
    assert any("damaged" in problem for problem in engine.problems)


def test_an_unusable_definition_is_off_and_reported(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="flags"):
        engine = Engine(
            _state(_feature("f", _constrained({"contextName": "x", "operator": "NOPE"})))
        )
    assert engine.is_enabled("f", default=True) is False
    assert engine.problems == ("feature 'f' is off: unknown constraint operator 'NOPE'",)
    assert "NOPE" in caplog.text


@pytest.mark.parametrize(
    "context",
    [
        "not a mapping",
        42,
        {"properties": "not a mapping", "tenant": None},
        {"properties": ["a", "list"]},
    ],
    ids=["string", "int", "string-properties", "list-properties"],
)
def test_nonsense_contexts_never_raise(context: Any) -> None:
    engine = Engine(
        _state(
            _feature(
                "f", _constrained({"contextName": "tenant", "operator": "IN", "values": ["a"]})
            )
        )
    )
    assert engine.is_enabled("f", context, default=True) in (True, False)
    assert isinstance(engine.get_variant("f", context), Variant)


@pytest.mark.parametrize("name", [None, 42, ["unhashable"], {"a": 1}])
def test_nonsense_names_never_raise(name: Any) -> None:
    engine = Engine(_state(_feature("f")))
    assert engine.is_enabled(name, default=True) is True
    assert engine.get_variant(name).name == "disabled"


def test_a_failing_evaluation_gives_the_default_and_logs_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def exploding(parameters: Mapping[str, str], options: StrategyOptions) -> Predicate:
        def check(context: Context) -> bool:
            raise RuntimeError("boom")

        return check

    engine = Engine(
        _state(_feature("f", {"name": "exploding"})), strategies={"exploding": exploding}
    )
    with caplog.at_level(logging.WARNING, logger="flags"):
        answers = [engine.is_enabled("f", default=True) for _ in range(3)]
        variants = [engine.get_variant("f") for _ in range(3)]
    assert answers == [True, True, True]
    assert all(v.name == "disabled" and not v.feature_enabled for v in variants)
    assert len([r for r in caplog.records if "failed" in r.getMessage()]) == 1


def test_custom_strategies_join_the_registry() -> None:
    def tenant_is(parameters: Mapping[str, str], options: StrategyOptions) -> Predicate:
        wanted = parameters["tenant"]
        return lambda context: context.get("tenant") == wanted

    engine = Engine(
        _state(_feature("f", {"name": "tenant", "parameters": {"tenant": "acme"}})),
        strategies={"tenant": tenant_is},
    )
    assert engine.is_enabled("f", {"tenant": "acme"}) is True
    assert engine.is_enabled("f", {"tenant": "other"}) is False


def test_an_unknown_strategy_is_off_but_not_fatal() -> None:
    engine = Engine(_state(_feature("f", {"name": "mystery"}, {"name": "default"})))
    assert engine.is_enabled("f") is True
    assert engine.problems == ()


def test_application_hostname_is_read_once() -> None:
    state = _state(
        _feature("f", {"name": "applicationHostname", "parameters": {"hostNames": "web-1, WEB-2"}})
    )
    assert Engine(state, hostname="web-2").is_enabled("f") is True
    assert Engine(state, hostname="worker-1").is_enabled("f") is False


@pytest.mark.parametrize(
    ("value", "constraint"),
    [
        (42, {"operator": "IN", "values": ["42"]}),
        (True, {"operator": "IN", "values": ["true"]}),
        (3.5, {"operator": "NUM_GT", "value": "3"}),
        ("x", {"operator": "IN", "values": ["x"]}),
    ],
    ids=["int", "bool", "float", "str"],
)
def test_context_values_are_compared_as_json_text(
    value: object, constraint: dict[str, Any]
) -> None:
    engine = Engine(
        _state(
            _feature("custom", _constrained({"contextName": "v", **constraint})),
            _feature("standard", _constrained({"contextName": "userId", **constraint})),
        )
    )
    assert engine.is_enabled("custom", {"properties": {"v": value}}) is True
    assert engine.is_enabled("standard", {"userId": value}) is True


def test_a_top_level_custom_field_counts_only_as_a_string() -> None:
    """Unleash's engine ignores `{"plan": 3}` at the top level, but reads it in `properties`."""
    in_3 = {"contextName": "plan", "operator": "IN", "values": ["3"]}
    engine = Engine(_state(_feature("f", _constrained(in_3))))
    assert engine.is_enabled("f", {"plan": 3}) is False
    assert engine.is_enabled("f", {"plan": 3, "properties": {"plan": 3}}) is True
    assert engine.is_enabled("f", {"plan": "3", "properties": {"plan": "4"}}) is True


def test_current_time_may_be_a_datetime() -> None:
    after = {
        "contextName": "currentTime",
        "operator": "DATE_AFTER",
        "value": "2024-01-01T00:00:00Z",
    }
    engine = Engine(_state(_feature("f", _constrained(after))))
    assert engine.is_enabled("f", {"currentTime": datetime(2024, 6, 1, tzinfo=UTC)}) is True
    assert engine.is_enabled("f", {"currentTime": datetime(2023, 6, 1)}) is False
    assert engine.is_enabled("f") is True  # no currentTime: now


def test_variants_carry_their_payload() -> None:
    variant = {"name": "v", "weight": 1, "payload": {"type": "json", "value": "{}"}}
    engine = Engine(_state(_feature("f", variants=[variant])))
    assert engine.get_variant("f", {"userId": "1"}) == Variant(
        "v", enabled=True, feature_enabled=True, payload=Payload("json", "{}")
    )


def test_zero_total_weight_gives_no_variant_but_the_feature_stays_on() -> None:
    engine = Engine(_state(_feature("f", variants=[{"name": "v", "weight": 0}])))
    assert engine.get_variant("f") == Variant("disabled", enabled=False, feature_enabled=True)


def test_engine_takes_a_parsed_document_and_exposes_it() -> None:
    document = parse_client_features(_state(_feature("f", impressionData=True), _feature("g")))
    engine = Engine(document)
    assert engine.document is document
    assert engine.names == {"f", "g"}
    assert engine.impression_data("f") is True and engine.impression_data("g") is False


def test_a_lone_surrogate_in_a_sticky_value_does_not_crash_the_process() -> None:
    """JSON text may carry lone surrogates; mmh3 5.x segfaults when handed one in a str."""
    parameters = {"rollout": "50", "stickiness": "userId", "groupId": "g"}
    engine = Engine(
        _state(
            _feature("f", {"name": "flexibleRollout", "parameters": parameters}),
            _feature("v", variants=[{"name": "a", "weight": 1}, {"name": "b", "weight": 1}]),
        )
    )
    for user in ["\ud800", "x\udfff", "Hell\u00f8 \U0001f600"]:
        assert engine.is_enabled("f", {"userId": user}) in (True, False)
        assert engine.get_variant("v", {"userId": user}).name in ("a", "b")
