"""A database-backed client follows changes: by NOTIFY, after losing its connection, after fork."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable

import psycopg
import pytest
from psycopg import sql

from flags.backends import PostgresStore
from flags.backends.listener import APPLICATION_NAME
from flags.client import FlagClient

WaitFor = Callable[..., None]
MakeClient = Callable[..., FlagClient]


def feature(name: str, *, enabled: bool = True) -> dict[str, object]:
    return {"name": name, "enabled": enabled, "strategies": [{"name": "default"}]}


def listener_pids(store: PostgresStore) -> list[int]:
    with store.connect() as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE application_name = %s AND datname = current_database()",
            (APPLICATION_NAME,),
        ).fetchall()
    return [row[0] for row in rows]


def test_a_created_flag_is_seen_by_a_client(
    store: PostgresStore, make_client: MakeClient, wait_for: WaitFor
) -> None:
    store.upsert(feature("at_start"), actor="ann")
    client = make_client()
    assert client.is_enabled("at_start")
    store.upsert(feature("later"), actor="ann")
    wait_for(lambda: client.is_enabled("later"))


def test_the_kill_switch_reaches_a_running_client_within_two_seconds(
    store: PostgresStore, make_client: MakeClient, wait_for: WaitFor
) -> None:
    store.upsert(feature("new_checkout"), actor="ann")
    # A long poll interval: only the notification can make the deadline.
    client = make_client(poll_interval=60.0)
    wait_for(lambda: listener_pids(store) != [])
    store.set_enabled("new_checkout", False, actor="ops", reason="orders failing")
    wait_for(lambda: not client.is_enabled("new_checkout", default=True), timeout=2.0)


def test_a_change_inside_an_open_transaction_is_seen_only_on_commit(
    store: PostgresStore, make_client: MakeClient, wait_for: WaitFor
) -> None:
    store.upsert(feature("new_checkout"), actor="ann")
    client = make_client(poll_interval=0.05)
    with psycopg.connect(store.conninfo) as conn:
        with conn.transaction():
            store.set_enabled("new_checkout", False, actor="migration", conn=conn)
            seen = client.reads
            wait_for(lambda: client.reads >= seen + 3)  # it has looked, several times
            assert client.is_enabled("new_checkout")
        wait_for(lambda: not client.is_enabled("new_checkout"))


def test_an_unreachable_database_gives_defaults_and_never_raises(unused_port: int) -> None:
    client = FlagClient.from_database(
        f"postgresql+psycopg://user:pass@127.0.0.1:{unused_port}/db", poll_interval=0.05
    )
    try:
        assert client.is_enabled("anything") is False
        assert client.is_enabled("anything", default=True) is True
        assert client.is_enabled("anything", {"userId": object()}, default=True) is True
        assert client.get_variant("anything").enabled is False
    finally:
        client.close()


def test_a_client_reconnects_after_its_connection_is_killed(
    store: PostgresStore, make_client: MakeClient, wait_for: WaitFor
) -> None:
    store.upsert(feature("new_checkout"), actor="ann")
    client = make_client(poll_interval=0.2)
    wait_for(lambda: len(listener_pids(store)) == 1)
    [old_pid] = listener_pids(store)
    with store.connect() as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (old_pid,))
    wait_for(lambda: listener_pids(store) not in ([], [old_pid]), timeout=5.0)
    store.set_enabled("new_checkout", False, actor="ops")
    wait_for(lambda: not client.is_enabled("new_checkout"))
    assert client.is_enabled("new_checkout", default=True) is False


def test_a_client_keeps_its_last_known_flags_while_the_database_is_gone(
    store: PostgresStore,
    make_client: MakeClient,
    wait_for: WaitFor,
    caplog: pytest.LogCaptureFixture,
) -> None:
    store.upsert(feature("new_checkout"), actor="ann")
    client = make_client(poll_interval=0.05)
    wait_for(lambda: len(listener_pids(store)) == 1)
    [pid] = listener_pids(store)
    with store.connect() as conn:
        database = conn.info.dbname
    # From another database: PostgreSQL refuses to lock out the current one.
    with store.connect(dbname="postgres") as admin:
        allow = sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS {}")
        admin.execute(allow.format(sql.Identifier(database), sql.SQL("false")))
        try:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            wait_for(lambda: "lost the flags database" in caplog.text)
            seen = client.reads
            assert client.is_enabled("new_checkout")
            assert client.reads == seen
        finally:
            admin.execute(allow.format(sql.Identifier(database), sql.SQL("true")))
    store.set_enabled("new_checkout", False, actor="ops")
    wait_for(lambda: not client.is_enabled("new_checkout"), timeout=5.0)
    lost = [r for r in caplog.records if "lost the flags database" in r.getMessage()]
    assert len(lost) == 1, "a backend that is down is logged once, not on every retry"


def _child_sees_flag_off(client: FlagClient, done: multiprocessing.Queue[bool]) -> None:
    import time

    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        if not client.is_enabled("new_checkout", default=True):
            done.put(True)
            return
        time.sleep(0.01)
    done.put(False)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_forked_child_follows_changes_with_its_own_listener(
    store: PostgresStore, make_client: MakeClient, wait_for: WaitFor
) -> None:
    store.upsert(feature("new_checkout"), actor="ann")
    client = make_client(poll_interval=60.0)
    wait_for(lambda: len(listener_pids(store)) == 1)
    [parent_pid] = listener_pids(store)
    ctx = multiprocessing.get_context("fork")
    done: multiprocessing.Queue[bool] = ctx.Queue()
    child = ctx.Process(target=_child_sees_flag_off, args=(client, done))
    child.start()
    try:
        wait_for(lambda: len(listener_pids(store)) == 2, timeout=5.0)
        store.set_enabled("new_checkout", False, actor="ops")
        assert done.get(timeout=10.0) is True
    finally:
        child.join(10.0)
    assert child.exitcode == 0
    # The child did not close the parent's connection: the parent still follows changes.
    assert listener_pids(store) == [parent_pid]
    store.set_enabled("new_checkout", True, actor="ops")
    wait_for(lambda: client.is_enabled("new_checkout"))
