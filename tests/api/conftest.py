"""Fixtures for api-level tests: a copy of the sample app's Alembic project per test."""

from __future__ import annotations

import logging.config
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """sample_app copied into tmp_path (its alembic.ini), so no test writes into the repo."""
    target = tmp_path / "sample_app"
    shutil.copytree(
        REPO / "sample_app", target, ignore=shutil.ignore_patterns("*.db", "__pycache__")
    )
    # The stock env.py calls logging.config.fileConfig(), which would disable the loggers
    # other tests rely on; the CLI runs it for real in subprocess tests.
    monkeypatch.setattr(logging.config, "fileConfig", lambda *a, **k: None)
    monkeypatch.chdir(target)
    return target / "alembic.ini"
