"""The OpenFeature provider, through the real `openfeature-sdk` API."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from openfeature import api
from openfeature.client import OpenFeatureClient
from openfeature.evaluation_context import EvaluationContext
from openfeature.exception import ErrorCode
from openfeature.flag_evaluation import Reason

from flags import FlagClient
from flags.openfeature import FlagsProvider, unleash_context


def variant(name: str, payload_type: str | None = None, value: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "weight": 1000, "stickiness": "default"}
    if payload_type is not None:
        out["payload"] = {"type": payload_type, "value": value}
    return out


def flag(name: str, *variants: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "enabled": True,
        "strategies": [{"name": "default"}],
        "variants": list(variants),
        **extra,
    }


DOCUMENT: dict[str, Any] = {
    "version": 2,
    "features": [
        flag("plain"),
        {**flag("killed"), "enabled": False},
        flag("gated", migsafe={"requiresRevision": "gate9"}),
        {
            "name": "beta_users",
            "enabled": True,
            "strategies": [{"name": "userWithId", "parameters": {"userIds": "alice"}}],
        },
        {
            "name": "pro_plan",
            "enabled": True,
            "strategies": [
                {
                    "name": "default",
                    "constraints": [
                        {"contextName": "plan", "operator": "IN", "values": ["pro"]},
                        {"contextName": "environment", "operator": "IN", "values": ["prod"]},
                    ],
                }
            ],
        },
        flag("colour", variant("blue")),
        flag("greeting", variant("formal", "string", "Good day")),
        flag("limits", variant("tight", "json", json.dumps({"max": 3, "tags": ["a"]}))),
        flag("retries", variant("few", "number", "3")),
        flag("ratio", variant("half", "number", "0.5")),
        flag("bad_json", variant("broken", "json", "{nope")),
    ],
}


@pytest.fixture
def client() -> Iterator[OpenFeatureClient]:
    domain = "migsafe-flags-test"
    api.set_provider(FlagsProvider(FlagClient.from_features(DOCUMENT, heads=["gate1"])), domain)
    yield api.get_client(domain)
    api.shutdown()


def test_booleans_with_their_reasons(client: OpenFeatureClient) -> None:
    plain = client.get_boolean_details("plain", False)
    assert (plain.value, plain.reason, plain.error_code) == (True, Reason.STATIC, None)
    assert plain.flag_metadata == {"layer": "live"}
    killed = client.get_boolean_details("killed", True)
    assert (killed.value, killed.reason) == (False, Reason.DISABLED)
    gated = client.get_boolean_details("gated", True)
    assert (gated.value, gated.reason) == (False, Reason.DISABLED)
    assert gated.flag_metadata == {"layer": "revision-gate"}


def test_the_targeting_key_is_the_user_id(client: OpenFeatureClient) -> None:
    alice = client.get_boolean_details("beta_users", False, EvaluationContext("alice"))
    assert (alice.value, alice.reason) == (True, Reason.TARGETING_MATCH)
    assert client.get_boolean_value("beta_users", True, EvaluationContext("bob")) is False


def test_attributes_reach_standard_fields_and_properties(client: OpenFeatureClient) -> None:
    context = EvaluationContext("u1", {"plan": "pro", "environment": "prod"})
    assert client.get_boolean_value("pro_plan", False, context) is True
    assert client.get_boolean_value("pro_plan", False, EvaluationContext("u1")) is False
    assert unleash_context(context) == {
        "userId": "u1",
        "environment": "prod",
        "properties": {"plan": "pro"},
    }


def test_an_unknown_flag_gives_the_default_and_flag_not_found(client: OpenFeatureClient) -> None:
    details = client.get_boolean_details("missing", True)
    assert (details.value, details.reason) == (True, Reason.ERROR)
    assert details.error_code == ErrorCode.FLAG_NOT_FOUND
    assert client.get_string_details("missing", "x").error_code == ErrorCode.FLAG_NOT_FOUND


def test_strings_come_from_the_payload_or_the_variant_name(client: OpenFeatureClient) -> None:
    greeting = client.get_string_details("greeting", "hi")
    assert (greeting.value, greeting.variant, greeting.reason) == (
        "Good day",
        "formal",
        Reason.STATIC,
    )
    assert client.get_string_value("colour", "none") == "blue"
    plain = client.get_string_details("plain", "none")
    assert (plain.value, plain.reason) == ("none", Reason.DEFAULT)
    killed = client.get_string_details("killed", "none")
    assert (killed.value, killed.reason) == ("none", Reason.DISABLED)


def test_objects_and_numbers_come_from_typed_payloads(client: OpenFeatureClient) -> None:
    assert client.get_object_value("limits", {}) == {"max": 3, "tags": ["a"]}
    assert client.get_integer_value("retries", 0) == 3
    assert client.get_float_value("ratio", 0.0) == 0.5


@pytest.mark.parametrize(
    ("kind", "key", "default", "code"),
    [
        pytest.param("object", "greeting", {}, ErrorCode.TYPE_MISMATCH, id="string-as-object"),
        pytest.param("object", "bad_json", {}, ErrorCode.PARSE_ERROR, id="broken-json"),
        pytest.param("integer", "ratio", 0, ErrorCode.TYPE_MISMATCH, id="fraction-as-integer"),
        pytest.param("integer", "colour", 0, ErrorCode.TYPE_MISMATCH, id="no-payload"),
    ],
)
def test_a_payload_of_the_wrong_type_gives_the_default_and_an_error(
    client: OpenFeatureClient, kind: str, key: str, default: Any, code: ErrorCode
) -> None:
    details = getattr(client, f"get_{kind}_details")(key, default)
    assert (details.value, details.reason, details.error_code) == (default, Reason.ERROR, code)


def test_async_resolution_answers_the_same(client: OpenFeatureClient) -> None:
    async def resolve() -> tuple[bool, str]:
        return (
            await client.get_boolean_value_async("beta_users", False, EvaluationContext("alice")),
            await client.get_string_value_async("greeting", "hi"),
        )

    assert asyncio.run(resolve()) == (True, "Good day")


def test_shutdown_closes_the_flag_client() -> None:
    flags = FlagClient.from_features(DOCUMENT)
    api.set_provider(FlagsProvider(flags), "migsafe-flags-shutdown")
    api.shutdown()
    assert flags.closed
    assert flags.is_enabled("plain") is True  # still answers from its last state
