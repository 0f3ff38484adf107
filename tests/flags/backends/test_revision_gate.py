"""Revision-bound flags against a real database: heads read by the listener, the notify trigger.

A long poll interval in a test means only a notification can meet the deadline.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from psycopg import sql

from flags import FlagClient, Layer, notify_schema_changed
from flags.backends import PostgresStore, TriggerStatus, VersionTable
from flags.backends.alembic_version import TRIGGER
from flags.backends.listener import APPLICATION_NAME

WaitFor = Callable[..., None]
MakeClient = Callable[..., FlagClient]


def feature(name: str) -> dict[str, object]:
    return {"name": name, "enabled": True, "strategies": [{"name": "default"}]}


def create_version_table(store: PostgresStore, *heads: str, name: str = "alembic_version") -> None:
    with store.connect() as conn:
        conn.execute(
            sql.SQL("CREATE TABLE {} (version_num varchar(32) PRIMARY KEY)").format(
                sql.Identifier(name)
            )
        )
        for head in heads:
            conn.execute(
                sql.SQL("INSERT INTO {} VALUES (%s)").format(sql.Identifier(name)), (head,)
            )


def listener_pids(store: PostgresStore) -> list[int]:
    with store.connect() as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE application_name = %s AND datname = current_database()",
            (APPLICATION_NAME,),
        ).fetchall()
    return [row[0] for row in rows]


def set_heads(conn: psycopg.Connection[Any], *heads: str) -> None:
    conn.execute("DELETE FROM alembic_version")
    for head in heads:
        conn.execute("INSERT INTO alembic_version VALUES (%s)", (head,))


def test_plain_alembic_downgrade_below_the_revision_turns_the_flag_off_at_once(
    store: PostgresStore, make_client: MakeClient, wait_for: WaitFor, gated_project: Any
) -> None:
    gated_project.alembic("upgrade", "heads")
    assert store.init() is TriggerStatus.INSTALLED
    store.upsert(feature("orders_ui"), actor="ann")
    store.require("orders_ui", "gate2", actor="ann", reason="reads orders")
    client = make_client(alembic_config=gated_project.ini, poll_interval=60.0)
    assert client.heads == frozenset({"gate3", "side2"})
    assert client.is_enabled("orders_ui")

    gated_project.alembic("downgrade", "gate1")  # side2 depends on gate2: both branches go
    wait_for(lambda: not client.is_enabled("orders_ui"), timeout=5.0)
    assert client.explain("orders_ui").layer is Layer.REVISION_GATE

    gated_project.alembic("upgrade", "gate2")
    wait_for(lambda: client.is_enabled("orders_ui"), timeout=5.0)


def test_a_version_table_change_is_seen_only_when_its_transaction_commits(
    store: PostgresStore, make_client: MakeClient, wait_for: WaitFor
) -> None:
    create_version_table(store, "gate3")
    store.upsert(feature("orders_ui"), actor="ann")
    store.require("orders_ui", "gate3", actor="ann")
    client = make_client(poll_interval=0.05)
    assert client.is_enabled("orders_ui")
    with psycopg.connect(store.conninfo) as conn:
        with conn.transaction():
            set_heads(conn, "gate2")
            seen = client.reads
            wait_for(lambda: client.reads >= seen + 3)  # it has looked, several times
            assert client.is_enabled("orders_ui")
        wait_for(lambda: not client.is_enabled("orders_ui"))


def test_the_trigger_is_installed_once_and_only_where_the_version_table_exists(
    store: PostgresStore,
) -> None:
    assert store.init() is TriggerStatus.NO_VERSION_TABLE
    create_version_table(store, "gate1")
    assert store.init() is TriggerStatus.INSTALLED
    assert store.init() is TriggerStatus.PRESENT
    with store.connect() as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgname = %s AND NOT tgisinternal", (TRIGGER,)
        ).fetchone()
    assert row == (1,)


def test_a_flag_change_installs_the_trigger_once_the_version_table_exists(
    store: PostgresStore, make_client: MakeClient, wait_for: WaitFor
) -> None:
    store.upsert(feature("orders_ui"), actor="ann")  # no version table yet
    create_version_table(store, "gate3")
    store.require("orders_ui", "gate3", actor="ann")
    client = make_client(poll_interval=60.0)
    assert client.is_enabled("orders_ui")
    with store.connect() as conn:
        set_heads(conn, "gate2")
    wait_for(lambda: not client.is_enabled("orders_ui"), timeout=5.0)


def test_where_no_trigger_can_go_notify_schema_changed_wakes_the_clients(
    store: PostgresStore, make_client: MakeClient, wait_for: WaitFor
) -> None:
    store.upsert(feature("orders_ui"), actor="ann")
    store.require("orders_ui", "gate3", actor="ann")
    create_version_table(store, "gate3")  # after the writes: no trigger
    client = make_client(poll_interval=60.0)
    assert client.is_enabled("orders_ui")
    with psycopg.connect(store.conninfo) as conn, conn.transaction():
        set_heads(conn, "gate2")
        notify_schema_changed(conn)
    wait_for(lambda: not client.is_enabled("orders_ui"), timeout=5.0)


def test_the_poll_catches_a_change_nobody_announced(
    store: PostgresStore, make_client: MakeClient, wait_for: WaitFor
) -> None:
    store.upsert(feature("orders_ui"), actor="ann")
    store.require("orders_ui", "gate3", actor="ann")
    create_version_table(store, "gate3")
    client = make_client(poll_interval=0.1)
    with store.connect() as conn:
        set_heads(conn, "gate2")
    wait_for(lambda: not client.is_enabled("orders_ui"), timeout=5.0)


@pytest.mark.parametrize(
    "breakage",
    [
        pytest.param(None, id="no-version-table"),
        pytest.param("CREATE TABLE alembic_version (revision text)", id="no-version-column"),
    ],
)
def test_an_unreadable_version_table_fails_closed(
    store: PostgresStore, make_client: MakeClient, breakage: str | None
) -> None:
    store.upsert(feature("orders_ui"), actor="ann")
    store.upsert(feature("plain"), actor="ann")
    store.require("orders_ui", "gate1", actor="ann")
    if breakage is not None:
        with store.connect() as conn:
            conn.execute(breakage)
    client = make_client()
    assert client.heads is None
    assert client.is_enabled("orders_ui", default=True) is False
    assert client.explain("orders_ui").layer is Layer.REVISION_GATE
    assert client.is_enabled("plain") is True


def test_a_version_table_created_later_is_picked_up(
    store: PostgresStore, make_client: MakeClient, wait_for: WaitFor
) -> None:
    store.upsert(feature("orders_ui"), actor="ann")
    store.require("orders_ui", "gate1", actor="ann")
    client = make_client(poll_interval=0.1)
    assert not client.is_enabled("orders_ui")
    create_version_table(store, "gate1")
    wait_for(lambda: client.is_enabled("orders_ui"), timeout=5.0)


def test_requiring_and_releasing_a_revision_reaches_a_running_client(
    store: PostgresStore, make_client: MakeClient, wait_for: WaitFor
) -> None:
    create_version_table(store, "gate1")
    store.upsert(feature("orders_ui"), actor="ann")
    client = make_client(poll_interval=60.0)
    assert client.is_enabled("orders_ui")
    store.require("orders_ui", "gate2", actor="ops", reason="not migrated yet")
    wait_for(lambda: not client.is_enabled("orders_ui"))
    store.require("orders_ui", None, actor="ops", reason="migrated")
    wait_for(lambda: client.is_enabled("orders_ui"))


def test_without_scripts_only_an_exact_head_meets_a_requirement(
    store: PostgresStore, make_client: MakeClient
) -> None:
    create_version_table(store, "gate3", "side1")
    for name, revision in (("at_head", "gate3"), ("at_other_head", "side1"), ("below", "gate2")):
        store.upsert(feature(name), actor="ann")
        store.require(name, revision, actor="ann")
    client = make_client()
    assert client.is_enabled("at_head") and client.is_enabled("at_other_head")
    assert not client.is_enabled("below")


def test_a_custom_version_table_is_read_and_triggered(
    pg_url: str, make_client: MakeClient, wait_for: WaitFor
) -> None:
    table = VersionTable("schema_versions", "meta")
    store = PostgresStore(pg_url, version_table=table)
    with store.connect() as conn:
        conn.execute("CREATE SCHEMA meta")
        conn.execute("CREATE TABLE meta.schema_versions (version_num varchar(32) PRIMARY KEY)")
        conn.execute("INSERT INTO meta.schema_versions VALUES ('gate3')")
        conn.execute("CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)")
    assert store.init() is TriggerStatus.INSTALLED
    store.upsert(feature("orders_ui"), actor="ann")
    store.require("orders_ui", "gate3", actor="ann")
    client = make_client(
        version_table="schema_versions", version_table_schema="meta", poll_interval=60.0
    )
    assert client.is_enabled("orders_ui")
    with store.connect() as conn:
        conn.execute("UPDATE meta.schema_versions SET version_num = 'gate2'")
    wait_for(lambda: not client.is_enabled("orders_ui"), timeout=5.0)


def _child_sees_gate_close(client: FlagClient, done: multiprocessing.Queue[bool]) -> None:
    import time

    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        if not client.is_enabled("orders_ui", default=True):
            done.put(True)
            return
        time.sleep(0.01)
    done.put(False)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_forked_child_follows_the_heads_with_its_own_listener(
    store: PostgresStore, make_client: MakeClient, wait_for: WaitFor
) -> None:
    create_version_table(store, "gate3")
    store.upsert(feature("orders_ui"), actor="ann")
    store.require("orders_ui", "gate3", actor="ann")  # also installs the trigger
    client = make_client(poll_interval=60.0)
    assert client.is_enabled("orders_ui")
    ctx = multiprocessing.get_context("fork")
    done: multiprocessing.Queue[bool] = ctx.Queue()
    child = ctx.Process(target=_child_sees_gate_close, args=(client, done))
    child.start()
    try:
        wait_for(lambda: len(listener_pids(store)) == 2, timeout=5.0)
        with store.connect() as conn:
            set_heads(conn, "gate2")
        assert done.get(timeout=10.0) is True
    finally:
        child.join(10.0)
    assert child.exitcode == 0
    wait_for(lambda: not client.is_enabled("orders_ui"))
