"""The PostgreSQL store: tables on first use, versions, audit rows, transactional changes."""

from __future__ import annotations

import threading

import psycopg
import pytest

from flags.backends import FlagNotFound, PostgresStore
from flags.backends.postgres import conninfo
from flags.errors import FlagDefinitionError


def feature(name: str, *, enabled: bool = True) -> dict[str, object]:
    return {"name": name, "enabled": enabled, "strategies": [{"name": "default"}]}


def test_an_empty_database_holds_no_flags_and_is_not_written_by_load(store: PostgresStore) -> None:
    assert store.load() == (0, {"version": 2, "features": [], "segments": []})
    with store.connect() as conn:
        assert conn.execute("SELECT to_regnamespace('migsafe_flags')").fetchone() == (None,)


def test_a_sqlalchemy_url_loses_its_driver() -> None:
    assert conninfo("postgresql+psycopg://u:p@h:1/d") == "postgresql://u:p@h:1/d"
    assert conninfo("postgresql://u:p@h:1/d") == "postgresql://u:p@h:1/d"


def test_every_change_bumps_the_version_and_is_stored_as_client_features_json(
    store: PostgresStore,
) -> None:
    first = store.upsert(feature("new_checkout"), actor="ann", reason="create")
    second = store.set_enabled("new_checkout", False, actor="bob", reason="orders failing")
    version, document = store.load()
    assert (first, second, version) == (1, 2, 2)
    [stored] = document["features"]
    assert stored["name"] == "new_checkout" and stored["enabled"] is False
    assert stored["strategies"][0]["name"] == "default"


def test_the_audit_row_records_old_new_actor_and_reason(store: PostgresStore) -> None:
    store.upsert(feature("new_checkout"), actor="ann", reason="create")
    store.set_enabled("new_checkout", False, actor="bob", reason="orders failing")
    created, disabled = store.history("new_checkout")
    assert (created.actor, created.old, created.reason) == ("ann", None, "create")
    assert (disabled.actor, disabled.reason) == ("bob", "orders failing")
    assert disabled.old is not None and disabled.old["enabled"] is True
    assert disabled.new is not None and disabled.new["enabled"] is False
    assert disabled.at >= created.at


def test_an_unknown_flag_cannot_be_switched(store: PostgresStore) -> None:
    with pytest.raises(FlagNotFound):
        store.set_enabled("nope", True, actor="ann")


def test_an_invalid_definition_is_refused_before_anything_is_written(store: PostgresStore) -> None:
    with pytest.raises(FlagDefinitionError):
        store.upsert({"name": "x", "enabled": "yes"}, actor="ann")
    assert store.load()[0] == 0


def test_a_change_in_an_open_transaction_is_invisible_until_commit(store: PostgresStore) -> None:
    store.upsert(feature("new_checkout"), actor="ann")
    with psycopg.connect(store.conninfo) as conn:
        with conn.transaction():
            store.set_enabled("new_checkout", False, actor="migration", conn=conn)
            version, document = store.load()
            assert version == 1 and document["features"][0]["enabled"] is True
        version, document = store.load()
        assert version == 2 and document["features"][0]["enabled"] is False


def test_a_rolled_back_change_leaves_no_trace(store: PostgresStore) -> None:
    store.upsert(feature("new_checkout"), actor="ann")
    with psycopg.connect(store.conninfo) as conn:
        conn.execute("SELECT 1")
        store.set_enabled("new_checkout", False, actor="migration", conn=conn)
        conn.rollback()
    assert store.load()[0] == 1
    assert len(store.history("new_checkout")) == 1


def test_processes_creating_the_tables_at_once_do_not_race(pg_url: str) -> None:
    errors: list[BaseException] = []

    def create(name: str) -> None:
        try:
            PostgresStore(pg_url).upsert(feature(name), actor=name)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=create, args=(f"f{i}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    version, document = PostgresStore(pg_url).load()
    assert version == 6 and len(document["features"]) == 6


def test_the_schema_is_configurable(pg_url: str) -> None:
    store = PostgresStore(pg_url, schema="Other Flags")
    store.upsert(feature("x"), actor="ann")
    assert PostgresStore(pg_url).load()[0] == 0
    assert store.load()[0] == 1


def test_a_requirement_is_stored_in_the_definition_and_audited(store: PostgresStore) -> None:
    store.upsert(feature("new_checkout"), actor="ann")
    store.require("new_checkout", "abc123", actor="bob", reason="needs the orders table")
    _, document = store.load()
    assert document["features"][0]["migsafe"] == {"requiresRevision": "abc123"}
    store.require("new_checkout", None, actor="bob", reason="shipped")
    _, document = store.load()
    assert "migsafe" not in document["features"][0]
    _, required, released = store.history("new_checkout")
    assert (required.actor, required.reason) == ("bob", "needs the orders table")
    assert required.old is not None and "migsafe" not in required.old
    assert required.new is not None and required.new["migsafe"] == {"requiresRevision": "abc123"}
    assert released.new is not None and "migsafe" not in released.new


def test_an_unknown_flag_cannot_require_a_revision(store: PostgresStore) -> None:
    with pytest.raises(FlagNotFound):
        store.require("nope", "abc123", actor="ann")
