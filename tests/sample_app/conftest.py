"""Fixtures for the sample shop: alembic configs and a database per backend."""

from __future__ import annotations

import logging.config
import sys
from pathlib import Path

import pytest

# `pytest` (unlike `python -m pytest`) does not put the repo root on sys.path.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)


@pytest.fixture(autouse=True)
def _isolate_sample_app(monkeypatch: pytest.MonkeyPatch) -> None:
    # The stock env.py runs logging.config.fileConfig(alembic.ini), which disables
    # every logger created so far (disable_existing_loggers) for the rest of the
    # session and would break caplog in unrelated tests.
    monkeypatch.setattr(logging.config, "fileConfig", lambda *args, **kwargs: None)
    monkeypatch.delenv("SHOP_BREAK_MIGRATION", raising=False)
    monkeypatch.delenv("SHOP_DATABASE_URL", raising=False)


@pytest.fixture
def shop_sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'shop.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def shop_db_url(request: pytest.FixtureRequest, shop_sqlite_url: str) -> str:
    """A fresh, empty database: a SQLite file, or PostgreSQL via `pg_url` (tests/conftest.py)."""
    if request.param == "sqlite":
        return shop_sqlite_url
    return str(request.getfixturevalue("pg_url"))
