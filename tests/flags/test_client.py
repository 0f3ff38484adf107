"""`FlagClient` over a fixed document: defaults, variants, never raising, closing."""

from __future__ import annotations

import asyncio

from flags.client import FlagClient
from flags.layers import Layer

STATE = {
    "version": 2,
    "features": [
        {"name": "on", "enabled": True, "strategies": [{"name": "default"}]},
        {"name": "off", "enabled": False, "strategies": [{"name": "default"}]},
        {
            "name": "colours",
            "enabled": True,
            "strategies": [{"name": "default"}],
            "variants": [{"name": "blue", "weight": 1000, "stickiness": "default"}],
        },
    ],
}


def test_known_flags_answer_and_unknown_ones_give_the_default() -> None:
    client = FlagClient.from_features(STATE)
    assert client.is_enabled("on") is True
    assert client.is_enabled("off", default=True) is False
    assert client.is_enabled("missing") is False
    assert client.is_enabled("missing", default=True) is True


def test_variants_come_from_the_document() -> None:
    client = FlagClient.from_features(STATE)
    assert client.get_variant("colours", {"userId": "1"}).name == "blue"
    assert client.get_variant("missing").enabled is False


def test_odd_arguments_never_raise() -> None:
    client = FlagClient.from_features(STATE)
    odd: dict[str, object] = {"userId": object(), "properties": None}
    assert client.is_enabled("on", odd) is True
    assert client.is_enabled(None, default=True) is True  # type: ignore[arg-type]
    assert client.get_variant(None, odd).enabled is False  # type: ignore[arg-type]


def test_closing_is_idempotent_and_async_friendly() -> None:
    client = FlagClient.from_features(STATE)
    client.close()
    asyncio.run(client.aclose())
    assert client.is_enabled("on") is True


def test_an_async_with_block_closes_the_client() -> None:
    async def use() -> FlagClient:
        async with FlagClient.from_features(STATE) as client:
            assert client.is_enabled("on")
        return client

    client = asyncio.run(use())
    assert client.closed and client.is_enabled("on") is True


def test_from_unleash_holds_a_revision_bound_flag_in_its_bootstrap_off(unused_port: int) -> None:
    """An Unleash server gives no Alembic heads: the bootstrap must not open the gate either."""
    gated = {"name": "gated", "enabled": True, "strategies": [{"name": "default"}]}
    bootstrap = {
        "version": 2,
        "features": [
            {"name": "plain", "enabled": True, "strategies": [{"name": "default"}]},
            {**gated, "migsafe": {"requiresRevision": "0008_orders"}},
        ],
    }
    client = FlagClient.from_unleash(
        f"http://127.0.0.1:{unused_port}/api",
        "default:development.x",
        "migsafe-test-bootstrap-gate",
        bootstrap=bootstrap,
        request_retries=0,
    )
    try:
        assert client.is_enabled("plain") is True
        assert client.is_enabled("gated", default=True) is False
        assert client.explain("gated").layer is Layer.REVISION_GATE
        assert client.explain("plain").layer is Layer.BOOTSTRAP
    finally:
        client.close()
