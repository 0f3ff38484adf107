"""Shared fixtures: a real PostgreSQL server (see tests/support/pg.py) and SQLite files."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# `pytest` (unlike `python -m pytest`) does not put the repo root on sys.path and
# tests/ is not a package, so make `tests.support` importable explicitly.
_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.support.pg import PgServer, PostgresUnavailable, provide_server  # noqa: E402


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One server per session, with the `migsafe_template` database created.

    If none can be provided the whole run stops, non-zero, with instructions:
    never a skip, since a green run must mean PostgreSQL was exercised, and one
    message rather than the same error repeated for every test.
    """
    problem = None
    try:
        with provide_server() as server:
            yield server
    except PostgresUnavailable as exc:
        problem = str(exc)
    if problem is not None:
        pytest.exit(
            f"no PostgreSQL for the tests: {problem}", returncode=pytest.ExitCode.USAGE_ERROR
        )


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[str]:
    """SQLAlchemy URL of a fresh database cloned from `migsafe_template`, dropped afterwards."""
    with pg_server.fresh_database() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'migsafe-test.db'}"
