"""A snapshot restore never crosses databases without being told to.

A snapshot taken of one database, restored in place while the URL points at another, would
wipe that one's tables and write the first one's. migsafe refuses (exit 2, nothing changed,
one line naming both) unless ``--allow-other-database`` says so; ``--into NEW`` still makes
a copy. "The same database" is the cluster's system identifier and the database's oid or
name, recorded at dump time: another spelling of the host is still the same database.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy.engine import make_url

from migsafe.snapshots.identity import DatabaseIdentity, same_database
from tests.cli.conftest import assert_fails

if TYPE_CHECKING:
    from tests.engine.conftest import Db, MiniProject


@pytest.fixture
def other(pg_server: Any) -> Iterator[Db]:
    """A second database on the same server: `shop2` beside the test's `shop`."""
    from tests.engine.conftest import Db

    with pg_server.fresh_database("migsafe_other") as url:
        db = Db(url)
        db.execute("CREATE TABLE customers (id int PRIMARY KEY, name text)")
        db.execute("INSERT INTO customers VALUES (1, 'only in the other database')")
        yield db


def _name(url: str) -> str:
    return str(make_url(url).database)


def _snapshot(project: MiniProject, db: Db) -> str:
    created = project.run(db.url, "snapshot", "create", "--format", "json")
    assert created.returncode == 0, project.explain(created)
    return str(json.loads(created.stdout)["id"])


def test_restoring_into_another_database_is_refused_and_changes_nothing(
    project: MiniProject, pg_db: Db, other: Db
) -> None:
    snap_id = _snapshot(project, pg_db)
    before = other.fingerprint()

    proc = project.run(other.url, "snapshot", "restore", snap_id, "--yes")

    line = assert_fails(proc, 2)
    assert f"taken of {_name(pg_db.url)} on 127.0.0.1:" in line, line
    assert f"not of {_name(other.url)} on 127.0.0.1:" in line, line
    assert "nothing was changed" in line
    assert "--allow-other-database" in proc.stderr
    other.assert_unchanged(before)
    assert not other.has_table("seed")
    assert other.scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'migsafe'") == 0

    revert = project.run(other.url, "revert", "--from-snapshot", snap_id, "--yes")
    assert_fails(revert, 2)
    other.assert_unchanged(before)


def test_allow_other_database_restores_there_and_says_so(
    project: MiniProject, pg_db: Db, other: Db
) -> None:
    snap_id = _snapshot(project, pg_db)
    source = pg_db.fingerprint()

    proc = project.run(other.url, "snapshot", "restore", snap_id, "--yes", "--allow-other-database")

    assert proc.returncode == 0, project.explain(proc)
    text = " ".join(proc.stdout.split())
    assert f"It was taken of {_name(pg_db.url)} on" in text
    assert f"restored into {_name(other.url)} on" in text
    assert not other.has_table("customers")
    restored = other.fingerprint()
    assert restored.tables == source.tables and restored.schema == source.schema
    assert other.last_run().command == "restore"


def test_the_same_database_under_another_host_name_is_not_another_database(
    project: MiniProject, pg_db: Db
) -> None:
    snap_id = _snapshot(project, pg_db)
    before = pg_db.fingerprint()
    pg_db.execute("INSERT INTO seed (id, name) VALUES (9, 'after the snapshot')")
    alias = make_url(pg_db.url).set(host="localhost").render_as_string(hide_password=False)

    proc = project.run(alias, "snapshot", "restore", snap_id, "--yes", "--format", "json")

    assert proc.returncode == 0, project.explain(proc)
    assert json.loads(proc.stdout)["other_database"] is None
    pg_db.assert_unchanged(before)


def test_into_a_new_database_needs_no_override(
    project: MiniProject, pg_db: Db, other: Db, pg_server: Any
) -> None:
    snap_id = _snapshot(project, pg_db)
    copy = f"{_name(other.url)}_copy"
    try:
        proc = project.run(other.url, "snapshot", "restore", snap_id, "--into", copy)
        assert proc.returncode == 0, project.explain(proc)
        with pg_server.connect(copy) as conn:
            assert conn.execute("SELECT count(*) FROM seed").fetchone() == (3,)
    finally:
        pg_server.drop_database(copy)


def _pg(host: str | None, name: str, system: str | None = None, oid: int | None = None) -> Any:
    return DatabaseIdentity("postgresql", "redacted", name, host, 5432, system, oid)


@pytest.mark.parametrize(
    ("source", "target", "same"),
    [
        (_pg("a", "shop", "1", 10), _pg("b", "shop", "1", 10), True),  # an alias of the host
        (_pg("a", "shop", "1", 10), _pg("a", "shop2", "1", 11), False),  # same cluster
        (_pg("a", "shop", "1", 10), _pg("a", "shop_old", "1", 10), True),  # renamed since
        (_pg("a", "shop", "1", 10), _pg("a", "shop", "2", 10), False),  # another cluster
        (_pg("a", "shop"), _pg("a", "shop", "1", 10), True),  # old entry: the URL decides
        (_pg("a", "shop"), _pg("b", "shop", "1", 10), False),
        (_pg("a", "shop", "1", 10), _pg("a", "shop2"), False),  # target unreadable: URL
    ],
    ids=["alias", "other-db", "renamed", "other-cluster", "old-entry", "old-other", "no-sysid"],
)
def test_same_database(source: DatabaseIdentity, target: DatabaseIdentity, same: bool) -> None:
    assert same_database(source, target) is same
