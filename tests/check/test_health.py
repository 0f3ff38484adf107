"""Sessions that would make a plan wait, found on a real PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from migsafe.check.health import blockers
from migsafe.check.locks import LockMode


@pytest.fixture
def engine(pg_url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(pg_url, poolclass=NullPool)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE orders (id int PRIMARY KEY); CREATE TABLE notes (id int)"
        )
    yield engine
    engine.dispose()


def _session(pg_url: str, application: str) -> sa.Engine:
    return sa.create_engine(
        pg_url, poolclass=NullPool, connect_args={"application_name": application}
    )


def test_a_session_idle_in_transaction_on_a_planned_table_is_named(
    engine: sa.Engine, pg_url: str
) -> None:
    other = _session(pg_url, "report-worker")
    with other.connect() as holder:
        holder.exec_driver_sql("SELECT count(*) FROM orders").scalar()  # ACCESS SHARE, kept
        pid = holder.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        user = holder.exec_driver_sql("SELECT current_user").scalar()
        time.sleep(1.1)
        with engine.connect() as conn:
            found = blockers(conn, {"orders": LockMode.ACCESS_EXCLUSIVE, "notes": LockMode.SHARE})
        holder.rollback()
    other.dispose()
    (blocker,) = found
    assert blocker.pid == pid and blocker.user == user
    assert blocker.application == "report-worker"
    assert blocker.state == "idle in transaction"
    assert blocker.age_seconds is not None and blocker.age_seconds >= 1
    assert blocker.table == "orders" and blocker.held is LockMode.ACCESS_SHARE
    line = blocker.describe()
    assert f"pid {pid}" in line and "'report-worker'" in line and "idle in transaction for" in line
    assert "AccessExclusiveLock" in line


def test_a_lock_the_plan_does_not_conflict_with_is_not_a_blocker(
    engine: sa.Engine, pg_url: str
) -> None:
    other = _session(pg_url, "writer")
    with other.connect() as holder:
        holder.exec_driver_sql("INSERT INTO orders VALUES (1)")  # ROW EXCLUSIVE, kept
        with engine.connect() as conn:
            # CREATE INDEX CONCURRENTLY (SHARE UPDATE EXCLUSIVE) lets writers through
            assert blockers(conn, {"orders": LockMode.SHARE_UPDATE_EXCLUSIVE}) == []
            # a plain CREATE INDEX (SHARE) waits for them
            (found,) = blockers(conn, {"orders": LockMode.SHARE})
            assert found.held is LockMode.ROW_EXCLUSIVE
        holder.rollback()
    other.dispose()


def test_tables_that_do_not_exist_yet_have_no_blockers(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        assert blockers(conn, {"created_by_the_plan": LockMode.ACCESS_EXCLUSIVE}) == []
