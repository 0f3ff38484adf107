"""The client-features model: what Unleash serves parses, and dumps back unchanged in meaning."""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import Any

import pytest

from flags import (
    ClientFeatures,
    Engine,
    FlagDefinitionError,
    dump_client_features,
    load_client_features,
    parse_client_features,
)
from tests.support import unleash_spec

SPEC_FILES = unleash_spec.files()

# What an Unleash server's `GET /api/client/features` returns, metadata included.
SERVER_RESPONSE: dict[str, Any] = {
    "version": 2,
    "features": [
        {
            "name": "new_checkout",
            "type": "release",
            "description": "one-page checkout",
            "project": "default",
            "enabled": True,
            "stale": False,
            "impressionData": True,
            "createdAt": "2024-05-01T10:00:00.000Z",
            "lastSeenAt": None,
            "strategies": [
                {
                    "id": "f1d3c1b2-0000-4000-8000-000000000001",
                    "name": "flexibleRollout",
                    "title": "",
                    "sortOrder": 0,
                    "parameters": {"rollout": "25", "stickiness": "default", "groupId": "nc"},
                    "constraints": [
                        {
                            "contextName": "environment",
                            "operator": "IN",
                            "values": ["production"],
                            "inverted": False,
                            "caseInsensitive": False,
                        },
                        {
                            "contextName": "appVersion",
                            "operator": "SEMVER_GT",
                            "value": "2.0.0",
                            "inverted": True,
                            "caseInsensitive": False,
                        },
                    ],
                    "segments": [7],
                    "variants": [
                        {
                            "name": "blue",
                            "weight": 1000,
                            "weightType": "variable",
                            "stickiness": "default",
                            "payload": {"type": "json", "value": '{"color": "blue"}'},
                        }
                    ],
                }
            ],
            "variants": [
                {
                    "name": "a",
                    "weight": 500,
                    "weightType": "fix",
                    "stickiness": "userId",
                    "overrides": [{"contextName": "userId", "values": ["1", "2"]}],
                },
                {"name": "b", "weight": 500, "weightType": "variable", "stickiness": "userId"},
            ],
            "dependencies": [{"feature": "payments_v2", "enabled": True, "variants": ["on"]}],
        },
        {
            "name": "payments_v2",
            "enabled": False,
            "impressionData": False,
            "strategies": [],
            "variants": [],
        },
    ],
    "segments": [
        {
            "id": 7,
            "name": "beta testers",
            "constraints": [
                {
                    "contextName": "tier",
                    "operator": "STR_STARTS_WITH",
                    "values": ["beta"],
                    "inverted": False,
                    "caseInsensitive": True,
                }
            ],
        }
    ],
    "query": {"project": ["default"], "environment": "production"},
    "meta": {"revisionId": 42, "etag": '"76d8bb0e:42"', "queryHash": "76d8bb0e"},
}


def test_a_server_response_dumps_back_exactly() -> None:
    """Moving flags from Unleash and back must not lose or alter anything, metadata included."""
    assert dump_client_features(parse_client_features(SERVER_RESPONSE)) == SERVER_RESPONSE


def test_dumped_document_is_json() -> None:
    dumped = dump_client_features(parse_client_features(SERVER_RESPONSE))
    assert json.loads(json.dumps(dumped)) == dumped


@pytest.mark.parametrize("name", SPEC_FILES)
def test_specification_states_round_trip(name: str) -> None:
    """parse(dump(parse(x))) == parse(x), and the dumped form is stable."""
    state = unleash_spec.load(name)["state"]
    document = parse_client_features(state)
    dumped = dump_client_features(document)
    assert parse_client_features(dumped) == document
    assert dump_client_features(parse_client_features(dumped)) == dumped


@pytest.mark.parametrize("name", SPEC_FILES)
def test_round_trip_keeps_evaluation(name: str) -> None:
    """Unchanged in meaning: the dumped document evaluates like the original on every case."""
    suite = unleash_spec.load(name)
    original = Engine(suite["state"], hostname="h")
    dumped = Engine(dump_client_features(parse_client_features(suite["state"])), hostname="h")
    for case in suite.get("tests", []):
        name_, context = case["toggleName"], case["context"]
        assert dumped.is_enabled(name_, context) == original.is_enabled(name_, context)
    for case in suite.get("variantTests", []):  # these contexts carry the stickiness fields
        name_, context = case["toggleName"], case["context"]
        assert dumped.get_variant(name_, context) == original.get_variant(name_, context)


def test_nulls_read_as_absent() -> None:
    """Unleash sends `null` for unset optional fields."""
    document = parse_client_features(
        {
            "features": [
                {
                    "name": "f",
                    "enabled": True,
                    "description": None,
                    "impressionData": None,
                    "strategies": [{"name": "default", "parameters": None, "constraints": None}],
                    "variants": None,
                }
            ]
        }
    )
    feature = document.features[0]
    assert feature.description is None and feature.impression_data is False
    assert feature.strategies[0].parameters == {} and feature.variants == ()


def test_scalars_where_strings_belong_are_read_as_json_text() -> None:
    document = parse_client_features(
        {
            "features": [
                {
                    "name": "f",
                    "enabled": True,
                    "strategies": [{"name": "flexibleRollout", "parameters": {"rollout": 50}}],
                }
            ]
        }
    )
    assert document.features[0].strategies[0].parameters["rollout"] == "50"


@pytest.mark.parametrize(
    ("document", "where"),
    [
        ({"features": [{"enabled": True}]}, "features[0]: `name` is required"),
        ({"features": [{"name": "f", "enabled": "yes"}]}, "features[0].enabled"),
        (
            {
                "features": [
                    {
                        "name": "f",
                        "enabled": True,
                        "strategies": [{"name": "default", "constraints": [{"contextName": "x"}]}],
                    }
                ]
            },
            "features[0].strategies[0].constraints[0]: `operator` is required",
        ),
        (
            {"features": [{"name": "f", "enabled": True, "variants": [{"name": "v"}]}]},
            "features[0].variants[0]: `weight`",
        ),
        ({"features": [], "segments": [{"constraints": []}]}, "segments[0]: `id` is required"),
        ({"features": "nope"}, "features: expected a list"),
        ([], "expected an object"),
    ],
)
def test_malformed_documents_say_where(document: object, where: str) -> None:
    with pytest.raises(FlagDefinitionError) as raised:
        parse_client_features(document)
    assert where in str(raised.value)


def test_loading_keeps_the_good_features_and_names_the_bad() -> None:
    """One malformed row must not take every other flag down with it."""
    state = copy.deepcopy(SERVER_RESPONSE)
    state["features"].append({"name": "broken", "enabled": "maybe"})
    state["features"].append({"enabled": True})
    loaded = load_client_features(state)
    assert [f.name for f in loaded.document.features] == ["new_checkout", "payments_v2"]
    assert loaded.broken_features == {"broken"}
    assert len(loaded.problems) == 2


def test_loading_refuses_a_document_without_a_feature_list() -> None:
    with pytest.raises(FlagDefinitionError):
        load_client_features({"version": 2})


def test_model_is_frozen() -> None:
    document = parse_client_features(SERVER_RESPONSE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        document.features[0].enabled = False  # type: ignore[misc]
    with pytest.raises(TypeError):
        document.features[0].strategies[0].parameters["rollout"] = "100"  # type: ignore[index]
    assert isinstance(document, ClientFeatures)
    assert document.feature("payments_v2") is document.features[1]
