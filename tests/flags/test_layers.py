"""Precedence, one test per boundary: kill switch > revision gate > live > last known >
bootstrap > the caller's default (see `flags.layers`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from psycopg import sql

from flags import FlagClient, FlagConfigError, FlagDefinitionError, Layer
from flags.backends import PostgresStore
from flags.backends.listener import APPLICATION_NAME

WaitFor = Callable[..., None]
MakeClient = Callable[..., FlagClient]


def on(name: str, **extra: object) -> dict[str, object]:
    return {"name": name, "enabled": True, "strategies": [{"name": "default"}], **extra}


def off(name: str, **extra: object) -> dict[str, object]:
    return {**on(name, **extra), "enabled": False}


def requiring(revision: str) -> dict[str, object]:
    return {"migsafe": {"requiresRevision": revision}}


def document(*features: dict[str, object]) -> dict[str, object]:
    return {"version": 2, "features": list(features)}


@contextmanager
def database_down(store: PostgresStore) -> Iterator[None]:
    """Refuse new connections to the test database and cut the existing listener ones."""
    with store.connect() as conn:
        database = conn.info.dbname
    allow = sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS {}")
    # From another database: PostgreSQL refuses to lock out the current one.
    with store.connect(dbname="postgres") as admin:
        admin.execute(allow.format(sql.Identifier(database), sql.SQL("false")))
        try:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = %s AND datname = %s",
                (APPLICATION_NAME, database),
            )
            yield
        finally:
            admin.execute(allow.format(sql.Identifier(database), sql.SQL("true")))


# ---------------------------------------------------------------- kill switch


def test_the_kill_switch_beats_strategies_and_the_default() -> None:
    client = FlagClient.from_features(document(off("killed")))
    assert client.is_enabled("killed", {"userId": "1"}, default=True) is False
    assert client.get_variant("killed").feature_enabled is False
    assert client.explain("killed", default=True).layer is Layer.KILL_SWITCH


def test_the_kill_switch_beats_the_revision_gate() -> None:
    client = FlagClient.from_features(document(off("both", **requiring("gate2"))), heads=[])
    assert client.explain("both").layer is Layer.KILL_SWITCH


def test_the_kill_switch_beats_a_bootstrap_that_says_on(
    store: PostgresStore, make_client: MakeClient
) -> None:
    store.upsert(off("new_checkout"), actor="ops", reason="orders failing")
    client = make_client(bootstrap=document(on("new_checkout")))
    assert client.explain("new_checkout").layer is Layer.KILL_SWITCH
    assert client.is_enabled("new_checkout", default=True) is False


# ---------------------------------------------------------------- revision gate


def test_the_revision_gate_beats_a_live_value_that_is_on() -> None:
    gated = document(on("orders_ui", **requiring("gate2")))
    below = FlagClient.from_features(gated, heads=["gate1"])
    assert below.is_enabled("orders_ui", default=True) is False
    assert below.explain("orders_ui").layer is Layer.REVISION_GATE
    at = FlagClient.from_features(gated, heads=["gate2"])
    assert at.is_enabled("orders_ui") is True
    assert at.explain("orders_ui").layer is Layer.LIVE


def test_a_gated_parent_is_off_for_its_dependents() -> None:
    child = on("child", dependencies=[{"feature": "parent"}])
    unless = on("unless_parent", dependencies=[{"feature": "parent", "enabled": False}])
    state = document(on("parent", **requiring("gate2")), child, unless)
    client = FlagClient.from_features(state, heads=["gate1"])
    assert (client.is_enabled("child"), client.is_enabled("unless_parent")) == (False, True)
    assert FlagClient.from_features(state, heads=["gate2"]).is_enabled("child") is True


def test_unknown_heads_hold_a_gated_flag_off_even_in_the_bootstrap(unused_port: int) -> None:
    state = document(on("orders_ui", **requiring("gate1")), on("plain"))
    client = FlagClient.from_database(
        f"postgresql://u:p@127.0.0.1:{unused_port}/db", bootstrap=state, poll_interval=0.05
    )
    try:
        assert client.explain("orders_ui").layer is Layer.REVISION_GATE
        assert client.explain("plain").layer is Layer.BOOTSTRAP
    finally:
        client.close()


# ---------------------------------------------------------------- live / last known


def test_a_live_value_beats_the_bootstrap(store: PostgresStore, make_client: MakeClient) -> None:
    store.upsert(on("new_checkout"), actor="ann")
    client = make_client(bootstrap=document(on("only_in_bootstrap")))
    assert client.explain("new_checkout").layer is Layer.LIVE
    # Once the database has answered, the bootstrap is gone, even for flags only it had.
    assert client.explain("only_in_bootstrap", default=True).layer is Layer.DEFAULT
    assert client.is_enabled("only_in_bootstrap", default=True) is True


def test_the_last_known_value_beats_the_bootstrap_while_the_database_is_down(
    store: PostgresStore, make_client: MakeClient, wait_for: WaitFor
) -> None:
    store.upsert(off("new_checkout"), actor="ops")
    store.upsert(on("rollout"), actor="ann")
    client = make_client(bootstrap=document(on("new_checkout"), off("rollout")), poll_interval=0.05)
    assert client.explain("rollout").layer is Layer.LIVE
    with database_down(store):
        wait_for(lambda: client.stale, timeout=5.0)
        assert client.explain("rollout").layer is Layer.LAST_KNOWN
        assert client.is_enabled("rollout") is True
        assert client.is_enabled("new_checkout", default=True) is False
    wait_for(lambda: not client.stale, timeout=5.0)
    assert client.explain("rollout").layer is Layer.LIVE


# ---------------------------------------------------------------- bootstrap / default


def test_the_bootstrap_answers_until_the_database_does(unused_port: int, tmp_path: Path) -> None:
    path = tmp_path / "flags.json"
    path.write_text(json.dumps(document(on("new_checkout"), off("dark"))))
    client = FlagClient.from_database(
        f"postgresql://u:p@127.0.0.1:{unused_port}/db", bootstrap=path, poll_interval=0.05
    )
    try:
        assert client.is_enabled("new_checkout") is True
        assert client.explain("new_checkout").layer is Layer.BOOTSTRAP
        assert client.explain("dark", default=True).layer is Layer.KILL_SWITCH
        assert client.is_enabled("unknown", default=True) is True
        assert client.explain("unknown").layer is Layer.DEFAULT
    finally:
        client.close()


def test_the_database_replaces_the_bootstrap_when_it_comes_up(
    store: PostgresStore, make_client: MakeClient, wait_for: WaitFor
) -> None:
    store.upsert(off("new_checkout"), actor="ops")
    with database_down(store):
        client = make_client(bootstrap=document(on("new_checkout")), poll_interval=0.05)
        assert client.explain("new_checkout").layer is Layer.BOOTSTRAP
        assert client.is_enabled("new_checkout") is True
    wait_for(lambda: client.explain("new_checkout").layer is Layer.KILL_SWITCH, timeout=5.0)


def test_without_bootstrap_or_database_every_flag_is_the_default(unused_port: int) -> None:
    client = FlagClient.from_database(
        f"postgresql://u:p@127.0.0.1:{unused_port}/db", poll_interval=0.05
    )
    try:
        assert client.is_enabled("any", default=True) is True
        assert client.explain("any").layer is Layer.DEFAULT
    finally:
        client.close()


def test_a_bootstrap_that_cannot_be_read_is_a_start_up_error(tmp_path: Path) -> None:
    with pytest.raises(FlagConfigError):
        FlagClient.from_database("postgresql://u:p@127.0.0.1:1/db", bootstrap=tmp_path / "no")
    broken = tmp_path / "broken.json"
    broken.write_text("[1, 2")
    with pytest.raises(FlagDefinitionError):
        FlagClient.from_database("postgresql://u:p@127.0.0.1:1/db", bootstrap=broken)


def test_explain_never_raises() -> None:
    client = FlagClient.from_features(document(on("x")))
    odd = client.explain([], {"userId": object()}, default=True)  # type: ignore[arg-type]
    assert (odd.enabled, odd.layer) == (True, Layer.DEFAULT)
