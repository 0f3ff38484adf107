"""Driver errors are recognised by their SQLSTATE or SQLite result code, on every driver."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from migsafe.db.dberrors import (
    connect_hint,
    is_lock_timeout,
    is_statement_timeout,
    sqlite_code,
    sqlstate,
)

DRIVERS = ["psycopg", "psycopg2", "pg8000"]


def _on(pg_url: str, driver: str) -> sa.Engine:
    return sa.create_engine(sa.make_url(pg_url).set(drivername=f"postgresql+{driver}"))


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_statement_timeout_is_one_and_not_a_lock_timeout(pg_url: str, driver: str) -> None:
    engine = _on(pg_url, driver)
    with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError) as caught:
        conn.exec_driver_sql("SET statement_timeout = '50ms'")
        conn.exec_driver_sql("SELECT pg_sleep(5)")
    engine.dispose()
    assert sqlstate(caught.value.orig) == "57014"
    assert is_statement_timeout(caught.value)
    assert not is_lock_timeout(caught.value)


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_lock_timeout_is_one_and_not_a_statement_timeout(pg_url: str, driver: str) -> None:
    engine = _on(pg_url, driver)
    holder = sa.create_engine(pg_url)
    with holder.connect() as held:
        held.exec_driver_sql("CREATE TABLE t (id int)")
        held.commit()
        held.exec_driver_sql("LOCK TABLE t IN ACCESS EXCLUSIVE MODE")
        with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError) as caught:
            conn.exec_driver_sql("SET lock_timeout = '50ms'")
            conn.exec_driver_sql("SELECT * FROM t")
    engine.dispose()
    holder.dispose()
    assert is_lock_timeout(caught.value)
    assert not is_statement_timeout(caught.value)


def test_a_busy_sqlite_database_is_a_lock_timeout(tmp_path: Path) -> None:
    path = tmp_path / "busy.db"
    first = sqlite3.connect(path, isolation_level=None)
    first.execute("CREATE TABLE t (id int)")
    first.execute("BEGIN EXCLUSIVE")
    second = sqlite3.connect(path, timeout=0.01)
    with pytest.raises(sqlite3.OperationalError) as caught:
        second.execute("SELECT * FROM t")
    first.close()
    second.close()
    assert sqlite_code(caught.value) == sqlite3.SQLITE_BUSY
    assert is_lock_timeout(caught.value)


def test_an_sqlite_file_that_cannot_be_opened_gets_its_hint(tmp_path: Path) -> None:
    with pytest.raises(sqlite3.OperationalError) as caught:
        sqlite3.connect(tmp_path / "no" / "such" / "dir.db")
    hint = connect_hint("", caught.value)
    assert hint is not None and "directory exists" in hint


def test_other_errors_are_neither(pg_url: str) -> None:
    engine = sa.create_engine(pg_url)
    with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError) as caught:
        conn.exec_driver_sql("SELECT 1/0")
    engine.dispose()
    assert sqlstate(caught.value.orig) == "22012"
    assert not is_lock_timeout(caught.value)
    assert not is_statement_timeout(caught.value)
