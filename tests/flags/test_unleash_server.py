"""Against a real Unleash server: `from_unleash` follows it, and its flags mean the same here.

The server is npm's `unleash-server`, pinned in tests/unleash/ and run by
tests/support/unleash.py on a database of the test PostgreSQL. Missing, it fails
these tests with the command that installs it: never a silent skip.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import multiprocessing
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from UnleashClient.clients.unleash_client import UnleashClient
from UnleashClient.utils import InstanceAllowType

from flags.backends import PostgresStore
from flags.backends.unleash import DocumentCache
from flags.client import FlagClient
from flags.evaluate import Engine
from flags.layers import Layer
from flags.model import dump_client_features
from migsafe.api.flags import flags_export, flags_import
from migsafe.settings import Settings
from tests.support.pg import PgServer
from tests.support.unleash import (
    UnleashServer,
    UnleashUnavailable,
    free_port,
    log_tail,
    start_server,
)

WAIT = 30.0
"""Upper bound for a change to reach a client polling every second; it usually takes ~1 s."""


@contextlib.contextmanager
def running_unleash(pg_server: PgServer) -> Iterator[UnleashServer]:
    """A server of its own; a missing install fails the test, saying how to install it."""
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(start_server(pg_server))
        except UnleashUnavailable as exc:
            problem = str(exc)
        else:
            yield server
            return
    pytest.fail(f"no Unleash server for the tests: {problem}", pytrace=False)


@pytest.fixture(scope="session")
def unleash(pg_server: PgServer) -> Iterator[UnleashServer]:
    """One Unleash server shared by the tests that do not stop it."""
    with running_unleash(pg_server) as server:
        yield server


@pytest.fixture
def follow(unleash: UnleashServer) -> Iterator[Callable[[str], FlagClient]]:
    """`from_unleash` clients polling every second, closed at the end of the test."""
    clients: list[FlagClient] = []

    def make(app_name: str) -> FlagClient:
        client = FlagClient.from_unleash(
            unleash.api_url, unleash.backend_token, app_name, refresh_interval=1
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def wait_for(condition: Callable[[], bool], what: str, unleash: UnleashServer | None) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            log = "" if unleash is None else f"\nunleash log:\n{log_tail(unleash.log)}"
            raise AssertionError(f"{what}: not seen within {WAIT:.0f} s{log}")
        time.sleep(0.05)


def test_a_flag_toggled_through_the_admin_api_is_seen_by_from_unleash(
    unleash: UnleashServer, follow: Callable[[str], FlagClient]
) -> None:
    unleash.create_feature("toggled_checkout")
    unleash.add_strategy(
        "toggled_checkout",
        {
            "name": "flexibleRollout",
            "parameters": {"rollout": "100", "stickiness": "default", "groupId": "toggled"},
            "constraints": [{"contextName": "region", "operator": "IN", "values": ["eu"]}],
        },
    )
    client = follow("migsafe-test-toggle")
    eu, us = {"userId": "7", "region": "eu"}, {"userId": "7", "region": "us"}
    wait_for(
        lambda: client.engine.document.feature("toggled_checkout") is not None, "the flag", unleash
    )
    assert client.is_enabled("toggled_checkout", eu, default=True) is False

    unleash.set_enabled("toggled_checkout", True)
    wait_for(lambda: client.is_enabled("toggled_checkout", eu), "enabling", unleash)
    assert client.is_enabled("toggled_checkout", us) is False

    unleash.set_enabled("toggled_checkout", False)
    wait_for(lambda: not client.is_enabled("toggled_checkout", eu), "disabling", unleash)


BOOTSTRAP = {
    "version": 2,
    "features": [{"name": "from_bootstrap", "enabled": True, "strategies": [{"name": "default"}]}],
}


@pytest.mark.parametrize(
    "url",
    [f"http://127.0.0.1:{free_port()}/api", "not a url", "ftp://unleash.invalid/api"],
    ids=["nothing-listening", "malformed", "unsupported-scheme"],
)
def test_an_unreachable_server_leaves_the_bootstrap_and_never_raises(url: str) -> None:
    client = FlagClient.from_unleash(
        url, "default:development.x", f"migsafe-test-{url}", bootstrap=BOOTSTRAP, request_retries=0
    )
    try:
        assert client.is_enabled("from_bootstrap") is True
        assert client.explain("from_bootstrap").layer is Layer.BOOTSTRAP
        assert client.stale is True
        assert client.is_enabled("unknown", default=True) is True
        assert client.get_variant("unknown").enabled is False
    finally:
        asyncio.run(client.aclose())


def test_a_server_that_stays_down_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    client = FlagClient.from_unleash(
        f"http://127.0.0.1:{free_port()}/api",
        "default:development.x",
        "migsafe-test-log-once",
        refresh_interval=1,
        request_retries=0,
    )
    try:
        # UnleashClient logs every failed fetch; wait for three of them.
        wait_for(
            lambda: sum("fetch failed" in r.getMessage() for r in caplog.records) >= 3,
            "three failed fetches",
            None,
        )
    finally:
        client.close()
    ours = [r for r in caplog.records if r.name == "flags" and "did not answer" in r.getMessage()]
    assert len(ours) == 1


def test_a_server_that_goes_down_leaves_the_last_known_flags(pg_server: PgServer) -> None:
    with running_unleash(pg_server) as server:
        server.create_feature("outlives_server")
        server.add_strategy("outlives_server", {"name": "default"})
        server.set_enabled("outlives_server", True)
        client = FlagClient.from_unleash(
            server.api_url, server.backend_token, "migsafe-test-down", refresh_interval=1
        )
        wait_for(lambda: client.is_enabled("outlives_server"), "enabling", server)
        assert client.explain("outlives_server").layer is Layer.LIVE
        assert client.stale is False
    try:
        wait_for(lambda: client.stale, "a failed fetch", server)
        assert client.is_enabled("outlives_server") is True
        assert client.explain("outlives_server").layer is Layer.LAST_KNOWN
    finally:
        client.close()
    assert client.is_enabled("outlives_server") is True


def _child_sees_flag_off(client: FlagClient, done: multiprocessing.Queue[bool]) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if not client.is_enabled("forked_checkout", default=True):
            done.put(True)
            return
        time.sleep(0.05)
    done.put(False)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # fork() in a threaded process
def test_a_forked_child_follows_the_server_with_its_own_sdk_client(
    unleash: UnleashServer, follow: Callable[[str], FlagClient]
) -> None:
    unleash.create_feature("forked_checkout")
    unleash.add_strategy("forked_checkout", {"name": "default"})
    unleash.set_enabled("forked_checkout", True)
    client = follow("migsafe-test-fork")
    wait_for(lambda: client.is_enabled("forked_checkout"), "enabling", unleash)
    ctx = multiprocessing.get_context("fork")
    done: multiprocessing.Queue[bool] = ctx.Queue()
    child = ctx.Process(target=_child_sees_flag_off, args=(client, done))
    child.start()
    try:
        # The parent's polling thread does not exist in the child: only a new one sees this.
        unleash.set_enabled("forked_checkout", False)
        assert done.get(timeout=WAIT + 10) is True
    finally:
        child.join(10.0)
    assert child.exitcode == 0
    wait_for(lambda: not client.is_enabled("forked_checkout", default=True), "disabling", unleash)


# ---------------------------------------------------------------- same meaning elsewhere

STRATEGIES = {"same_rollout": 1, "same_sessions": 2, "same_segment": 1}
FEATURES = tuple(STRATEGIES)


def define_features(unleash: UnleashServer) -> None:
    """Three flags using rollouts, stickiness, constraint operators, a segment and variants."""
    segment = unleash.request(
        "POST",
        "/api/admin/segments",
        {
            "name": "paying",
            "constraints": [{"contextName": "plan", "operator": "IN", "values": ["pro", "team"]}],
        },
    )
    for name in FEATURES:
        unleash.create_feature(name)
    unleash.add_strategy(
        "same_rollout",
        {
            "name": "flexibleRollout",
            "parameters": {"rollout": "40", "stickiness": "default", "groupId": "same_rollout"},
            "constraints": [
                {"contextName": "region", "operator": "IN", "values": ["eu", "uk"]},
                {
                    "contextName": "userId",
                    "operator": "STR_STARTS_WITH",
                    "values": ["1", "2"],
                    "inverted": True,
                },
            ],
            "variants": [
                {
                    "name": "blue",
                    "weight": 700,
                    "weightType": "variable",
                    "stickiness": "default",
                    "payload": {"type": "string", "value": "#00f"},
                },
                {"name": "green", "weight": 300, "weightType": "variable", "stickiness": "default"},
            ],
        },
    )
    unleash.add_strategy(
        "same_sessions",
        {
            "name": "flexibleRollout",
            "parameters": {"rollout": "25", "stickiness": "sessionId", "groupId": "sessions"},
            "constraints": [
                {"contextName": "age", "operator": "NUM_GTE", "values": [], "value": "30"}
            ],
        },
    )
    unleash.add_strategy(
        "same_sessions",
        {"name": "remoteAddress", "parameters": {"IPs": "10.0.0.0/24, 192.168.1.7"}},
    )
    unleash.add_strategy(
        "same_segment",
        {
            "name": "flexibleRollout",
            "parameters": {"rollout": "60", "stickiness": "userId", "groupId": "same_segment"},
            "segments": [segment["id"]],
        },
    )
    for name in FEATURES:
        unleash.set_enabled(name, True)


def complete(features: list[dict[str, Any]]) -> bool:
    """Whether `features` hold all of `define_features`' flags, on, with every strategy."""
    strategies = {
        f["name"]: len(f.get("strategies", [])) if f.get("enabled") else 0 for f in features
    }
    return all(strategies.get(name, 0) == count for name, count in STRATEGIES.items())


def contexts(count: int, seed: int = 5) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for _ in range(count):
        ctx: dict[str, Any] = {
            "userId": str(rng.randrange(1, 100_000)),
            "sessionId": rng.choice([None, f"s{rng.randrange(10**6)}"]),
            "remoteAddress": rng.choice(["10.0.0.5", "10.0.1.5", "192.168.1.7", "127.0.0.1"]),
            "properties": {
                "region": rng.choice(["eu", "uk", "us"]),
                "plan": rng.choice(["free", "pro", "team"]),
                "age": str(rng.randrange(10, 60)),
            },
        }
        out.append({k: v for k, v in ctx.items() if v is not None})
    return out


def reference_client(document: dict[str, Any]) -> UnleashClient:
    """UnleashClient's own engine on `document`, offline: Unleash's reading of the flags."""
    sdk = UnleashClient(
        url="http://127.0.0.1:9/api",
        app_name="migsafe-test-reference",
        disable_metrics=True,
        disable_registration=True,
        refresh_interval=3600,
        cache=DocumentCache(lambda _revision, _document: None, bootstrap=document),
        multiple_instance_mode=InstanceAllowType.SILENTLY_ALLOW,
    )
    sdk.initialize_client(fetch_toggles=False)
    return sdk


def test_a_definition_exported_from_unleash_evaluates_identically_in_postgres(
    unleash: UnleashServer, follow: Callable[[str], FlagClient], pg_url: str
) -> None:
    define_features(unleash)
    exported: dict[str, Any] = {}

    def export_is_complete() -> bool:
        # The server answers SDKs from a cache it refreshes after each change.
        exported.update(unleash.client_features())
        return complete(exported["features"])

    wait_for(export_is_complete, "the flags in the export", unleash)
    store = PostgresStore(pg_url)
    for feature in exported["features"]:
        if feature["name"] in FEATURES:
            store.upsert(feature, actor="test", reason="exported from Unleash")
    from_server = follow("migsafe-test-same")
    from_database = FlagClient.from_database(pg_url, poll_interval=60)
    reference = reference_client(exported)
    try:
        wait_for(
            lambda: complete(dump_client_features(from_server.engine.document)["features"]),
            "the flags in from_unleash",
            unleash,
        )
        answers: dict[str, set[bool]] = {name: set() for name in FEATURES}
        for ctx in contexts(400):
            for name in FEATURES:
                enabled = from_server.is_enabled(name, ctx)
                assert from_database.is_enabled(name, ctx) == enabled, (name, ctx)
                assert reference.is_enabled(name, ctx) == enabled, (name, ctx)
                answers[name].add(enabled)
                ours = from_server.get_variant(name, ctx)
                assert from_database.get_variant(name, ctx) == ours, (name, ctx)
                theirs = reference.get_variant(name, ctx)
                assert (theirs["name"], theirs["enabled"]) == (ours.name, ours.enabled), (name, ctx)
        # Each flag is on for some contexts and off for others: the comparison bit.
        assert all(seen == {True, False} for seen in answers.values()), answers
    finally:
        from_database.close()
        reference.destroy()


def test_a_document_with_global_segments_from_unleash_imports_and_exports_unchanged(
    unleash: UnleashServer, pg_url: str, tmp_path: Path
) -> None:
    """What a server sends an SDK that takes global segments goes through `migsafe flags`."""
    segment = unleash.request(
        "POST",
        "/api/admin/segments",
        {
            "name": "roundtrip_team",
            "constraints": [{"contextName": "plan", "operator": "IN", "values": ["team"]}],
        },
    )
    unleash.create_feature("roundtrip_segment")
    unleash.add_strategy(
        "roundtrip_segment",
        {"name": "default", "parameters": {}, "segments": [segment["id"]]},
    )
    unleash.set_enabled("roundtrip_segment", True)
    document: dict[str, Any] = {}

    def fetched() -> bool:
        document.clear()
        document.update(unleash.client_features(client_spec="5.1.0"))
        return any(
            f["name"] == "roundtrip_segment" and f.get("enabled") and f.get("strategies")
            for f in document["features"]
        )

    wait_for(fetched, "the flag with a segment in the export", unleash)
    assert any(s["id"] == segment["id"] for s in document["segments"])  # not inlined

    settings = Settings(ini_file=None, toml_file=None, database_url=pg_url)
    path = tmp_path / "from-unleash.json"
    path.write_text(json.dumps(document))
    flags_import(settings, path, actor="test")
    exported = flags_export(settings)
    by_name = {f["name"]: f for f in document["features"]}
    assert {f["name"]: f for f in exported["features"]} == by_name
    assert exported["segments"] == sorted(document["segments"], key=lambda s: s["id"])
    engine = Engine(exported)
    assert engine.is_enabled("roundtrip_segment", {"properties": {"plan": "team"}}) is True
    assert engine.is_enabled("roundtrip_segment", {"properties": {"plan": "free"}}) is False


def test_credentials_in_the_url_stay_out_of_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    """A URL that carries user:password is logged, when the client cannot start, without it."""
    caplog.set_level(logging.INFO, logger="flags")
    client = FlagClient.from_unleash(
        "ftp://operator:s3cret-pw@unleash.invalid/api",
        "default:development.x",
        "migsafe-test-secret",
        bootstrap=BOOTSTRAP,
        request_retries=0,
    )
    try:
        logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("flags"))
        assert "unleash.invalid" in logged
        assert "s3cret-pw" not in logged and "operator" not in logged
    finally:
        asyncio.run(client.aclose())
