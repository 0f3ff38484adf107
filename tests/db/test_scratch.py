"""Scratch databases are dropped by their maker, and after a SIGKILL by the next one made."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from migsafe.db.scratch import create_scratch, drop_scratch, sweep


@pytest.fixture
def raw(pg_url: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    engine = sa.create_engine(pg_url, poolclass=NullPool).execution_options(
        isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        driver = conn.connection.driver_connection
        assert isinstance(driver, psycopg.Connection)
        yield driver
    engine.dispose()


def _exists(raw: psycopg.Connection[tuple[object, ...]], name: str) -> bool:
    row = raw.execute("SELECT count(*) FROM pg_database WHERE datname = %s", (name,)).fetchone()
    return bool(row and row[0])


def test_made_marked_and_dropped(raw: psycopg.Connection[tuple[object, ...]]) -> None:
    name = create_scratch(raw, "migsafe_test")
    try:
        assert name.startswith("migsafe_test_") and _exists(raw, name)
        row = raw.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            (name,),
        ).fetchone()
        assert row is not None and '"kind": "migsafe scratch"' in str(row[0])
        assert sweep(raw) == []  # its process (this one) is alive
        assert _exists(raw, name)
    finally:
        drop_scratch(raw, name)
    assert not _exists(raw, name)


def test_what_a_killed_process_left_is_dropped_by_the_next(
    raw: psycopg.Connection[tuple[object, ...]], pg_url: str
) -> None:
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                import sqlalchemy as sa
                from migsafe.db.scratch import create_scratch
                engine = sa.create_engine({pg_url!r}).execution_options(
                    isolation_level="AUTOCOMMIT")
                with engine.connect() as conn:
                    print(create_scratch(conn.connection.driver_connection, "migsafe_killed"),
                          flush=True)
                    time.sleep(600)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    left = child.stdout.readline().strip()
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert left.startswith("migsafe_killed_") and _exists(raw, left)
    # a database of migsafe's name without the marker is someone's own: kept
    raw.execute("CREATE DATABASE migsafe_not_scratch")
    try:
        name = create_scratch(raw, "migsafe_next")
        drop_scratch(raw, name)
        assert not _exists(raw, left)
        assert _exists(raw, "migsafe_not_scratch")
    finally:
        raw.execute("DROP DATABASE IF EXISTS migsafe_not_scratch")
        drop_scratch(raw, left)
