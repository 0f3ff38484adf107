"""The suite's own PostgreSQL provisioning: real server, isolated databases, real auth."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from tests.support.pg import TEMPLATE_DB, PgServer

TABLE = "provisioning_probe"


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_fresh_database_is_empty_and_writable(pg_url: str) -> None:
    assert _tables(pg_url) == set()
    engine = sa.create_engine(pg_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f"CREATE TABLE {TABLE} (id int PRIMARY KEY)"))
            conn.execute(sa.text(f"INSERT INTO {TABLE} VALUES (1)"))
        with engine.connect() as conn:
            version = int(conn.execute(sa.text("SHOW server_version_num")).scalar_one())
            assert version >= 130000  # DROP DATABASE ... WITH (FORCE) needs 13+
    finally:
        engine.dispose()
    assert _tables(pg_url) == {TABLE}


def test_next_fresh_database_does_not_see_previous_tables(pg_server: PgServer, pg_url: str) -> None:
    # Create in one fresh database, then check a second one: no leak between them
    # or into the template they are both cloned from.
    with pg_server.fresh_database() as other:
        engine = sa.create_engine(other)
        try:
            with engine.begin() as conn:
                conn.execute(sa.text(f"CREATE TABLE {TABLE} (id int)"))
        finally:
            engine.dispose()
        assert _tables(other) == {TABLE}
    assert _tables(pg_url) == set()
    assert _tables(pg_server.url(TEMPLATE_DB)) == set()


def test_fresh_databases_are_dropped(pg_server: PgServer) -> None:
    with pg_server.fresh_database() as url:
        name = sa.engine.make_url(url).database
    with pg_server.connect() as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    assert row is None


def test_wrong_password_is_rejected_by_the_server(pg_server: PgServer, pg_url: str) -> None:
    dbname = sa.engine.make_url(pg_url).database
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(
            host=pg_server.host,
            port=pg_server.port,
            user=pg_server.user,
            password=pg_server.password + "-wrong",
            dbname=dbname,
            connect_timeout=10,
        )
    # ...and the right password over the same TCP path works.
    with psycopg.connect(
        host=pg_server.host,
        port=pg_server.port,
        user=pg_server.user,
        password=pg_server.password,
        dbname=dbname,
        connect_timeout=10,
    ) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == (dbname,)


def test_sqlite_url_points_into_tmp_path(sqlite_url: str, tmp_path: Path) -> None:
    assert sqlite_url == f"sqlite:///{tmp_path / 'migsafe-test.db'}"
    engine = sa.create_engine(sqlite_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE t (id int)"))
    finally:
        engine.dispose()
    assert (tmp_path / "migsafe-test.db").exists()
