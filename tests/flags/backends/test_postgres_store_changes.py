"""The store's atomic changes: `update` (read-modify-write under the row lock), `create`, segments.

The races are made deterministic: one connection holds the row (or an uncommitted insert)
while the other change is started on a thread; the test waits until PostgreSQL reports that
change as waiting for a lock, then commits. No sleeps stand in for the ordering.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import pytest

from flags.backends import FlagNotFound, PostgresStore
from flags.backends.base import FeatureUpdate, FlagExists
from flags.errors import FlagDefinitionError, StoreTooNew
from flags.evaluate import Engine

T = TypeVar("T")
WaitFor = Callable[[Callable[[], bool]], None]


def feature(name: str, *, enabled: bool = True, **extra: Any) -> dict[str, Any]:
    return {"name": name, "enabled": enabled, "strategies": [{"name": "default"}], **extra}


def rollout(percent: int) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def change(definition: dict[str, Any]) -> dict[str, Any]:
        strategy = {"name": "flexibleRollout", "parameters": {"rollout": str(percent)}}
        return {**definition, "strategies": [strategy]}

    return change


def stored(store: PostgresStore, name: str) -> dict[str, Any]:
    _, document = store.load()
    found: dict[str, Any] = next(f for f in document["features"] if f["name"] == name)
    return found


def lock_waiters(store: PostgresStore) -> int:
    """How many sessions on this database are blocked on a lock right now."""
    with store.connect() as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        ).fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture
def in_background() -> Iterator[Callable[[Callable[[], T]], Future[T]]]:
    with ThreadPoolExecutor(max_workers=1) as pool:
        yield pool.submit


def test_update_applies_the_change_to_the_definition_as_it_is_under_the_lock(
    store: PostgresStore,
    wait_for: WaitFor,
    in_background: Callable[[Callable[[], FeatureUpdate]], Future[FeatureUpdate]],
) -> None:
    """A rollout racing a kill switch must build on the switched-off flag, not undo it."""
    store.upsert(feature("new_checkout"), actor="ann")
    with store.connect() as holder, holder.transaction():
        store.set_enabled("new_checkout", False, actor="ops", reason="orders failing", conn=holder)
        pending = in_background(
            lambda: store.update("new_checkout", rollout(10), actor="ann", reason="10%")
        )
        wait_for(lambda: lock_waiters(store) == 1)
        assert not pending.done()
    update = pending.result(timeout=10)
    assert update.old["enabled"] is False  # it read the committed kill switch
    assert update.new["enabled"] is False and update.changed
    after = stored(store, "new_checkout")
    assert after["enabled"] is False
    assert after["strategies"][0]["parameters"]["rollout"] == "10"
    assert [e.reason for e in store.history("new_checkout")] == [None, "orders failing", "10%"]


def test_an_update_that_changes_nothing_writes_nothing(store: PostgresStore) -> None:
    version = store.upsert(feature("a"), actor="ann")
    update = store.update("a", lambda d: d, actor="bob")
    assert (update.changed, update.version) == (False, None)
    assert store.load()[0] == version
    assert len(store.history("a")) == 1


def test_an_update_is_validated_and_may_not_rename(store: PostgresStore) -> None:
    store.upsert(feature("a"), actor="ann")
    before = store.load()
    with pytest.raises(FlagDefinitionError):
        store.update("a", lambda d: {**d, "enabled": "yes"}, actor="bob")
    with pytest.raises(FlagDefinitionError):
        store.update("a", lambda d: {**d, "name": "b"}, actor="bob")
    with pytest.raises(FlagNotFound):
        store.update("nope", lambda d: d, actor="bob")
    assert store.load() == before


def test_of_two_concurrent_creates_one_wins_and_the_other_writes_nothing(
    store: PostgresStore,
    wait_for: WaitFor,
    in_background: Callable[[Callable[[], int]], Future[int]],
) -> None:
    with store.connect() as holder, holder.transaction():
        store.create(feature("a", description="first"), actor="ann", conn=holder)
        pending = in_background(
            lambda: store.create(feature("a", description="second"), actor="bob")
        )
        wait_for(lambda: lock_waiters(store) == 1)
    with pytest.raises(FlagExists):
        pending.result(timeout=10)
    assert stored(store, "a")["description"] == "first"
    assert [e.actor for e in store.history("a")] == ["ann"]


def test_a_definition_is_stored_exactly_as_given(store: PostgresStore) -> None:
    given = {"name": "a", "enabled": True, "strategies": [{"name": "default"}], "x-team": "ops"}
    store.upsert(given, actor="ann")
    assert stored(store, "a") == given


SEGMENT = {
    "id": 7,
    "name": "paying",
    "constraints": [{"contextName": "plan", "operator": "IN", "values": ["pro"]}],
}


def test_segments_are_stored_audited_and_used_by_strategies(store: PostgresStore) -> None:
    first = store.upsert_segment(SEGMENT, actor="ann", reason="paying users")
    assert store.upsert_segment(SEGMENT, actor="ann") is None  # already so: nothing written
    uses = {"name": "default", "segments": [7]}
    store.upsert({"name": "a", "enabled": True, "strategies": [uses]}, actor="ann")
    version, document = store.load()
    assert first == 1 and version == 2
    assert document["segments"] == [SEGMENT]
    engine = Engine(document)
    assert engine.is_enabled("a", {"properties": {"plan": "pro"}}) is True
    assert engine.is_enabled("a", {"properties": {"plan": "free"}}) is False
    [entry] = store.segment_history(7)
    assert (entry.kind, entry.flag, entry.old, entry.new) == ("segment", "7", None, SEGMENT)
    assert [e.kind for e in store.history("a")] == ["feature"]
    assert store.history("7") == []  # a segment's audit is not a flag's


def test_an_invalid_segment_is_refused(store: PostgresStore) -> None:
    with pytest.raises(FlagDefinitionError):
        store.upsert_segment({"name": "no id"}, actor="ann")


def test_a_store_made_before_segments_keeps_its_flags_and_gains_them_at_the_next_write(
    store: PostgresStore,
) -> None:
    store.upsert(feature("a"), actor="ann")
    with store.connect() as conn:  # the tables as an earlier release created them
        conn.execute("DROP TABLE migsafe_flags.segments")
        conn.execute("ALTER TABLE migsafe_flags.audit DROP COLUMN kind")
        conn.execute("DROP TABLE migsafe_flags.schema_version")  # not kept then
    assert [f["name"] for f in store.load()[1]["features"]] == ["a"]
    assert [e.actor for e in store.history("a")] == ["ann"]
    store.upsert_segment(SEGMENT, actor="bob")
    assert store.load()[1]["segments"] == [SEGMENT]
    assert [e.kind for e in store.history("a")] == ["feature"]
    with store.connect() as conn:
        steps = conn.execute("SELECT version FROM migsafe_flags.schema_version ORDER BY 1")
        assert [v for (v,) in steps] == [1, 2]


def test_a_store_made_by_a_newer_release_is_refused_and_left_alone(store: PostgresStore) -> None:
    store.upsert(feature("a"), actor="ann")
    with store.connect() as conn:
        conn.execute(
            "INSERT INTO migsafe_flags.schema_version (version, description) VALUES (99, 'new')"
        )
    with pytest.raises(StoreTooNew, match="version 99"):
        store.upsert(feature("b"), actor="ann")
    assert [f["name"] for f in store.load()[1]["features"]] == ["a"]


def test_every_write_waits_its_turn_on_one_flag(store: PostgresStore) -> None:
    """Many concurrent `update`s of one counter: none is lost."""
    store.upsert(feature("a", description="0"), actor="ann")

    def bump(definition: dict[str, Any]) -> dict[str, Any]:
        return {**definition, "description": str(int(definition["description"]) + 1)}

    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(5):
                store.update("a", bump, actor="w")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert stored(store, "a")["description"] == "20"


def test_the_flags_of_a_document_come_in_a_fixed_order(store: PostgresStore) -> None:
    for name in ("b", "B", "a", "Ä"):
        store.upsert(feature(name), actor="ann")
    names = [f["name"] for f in store.load()[1]["features"]]
    assert names == sorted(names, key=lambda n: n.encode())
