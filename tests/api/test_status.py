"""`migsafe status`: the fast path gives exactly the full path's answer, or steps aside."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from migsafe import api
from migsafe.engine.quickstatus import quick_status
from migsafe.engine.status import read_status
from migsafe.errors import DatabaseUnavailableError
from migsafe.settings import CliOptions, load_settings


@pytest.fixture(params=["postgresql", "sqlite"])
def url(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue("pg_url" if request.param == "postgresql" else "sqlite_url"))


def test_fast_path_steps_aside_before_any_run(shop: Path, url: str) -> None:
    if url.startswith("sqlite"):
        sqlite3.connect(url.removeprefix("sqlite:///")).close()  # an empty database file
    settings = load_settings(CliOptions(config=shop, database_url=url))
    assert quick_status(settings) is None  # no history yet: only env.py knows the version table
    full = api.status(settings)
    assert full.current == () and len(full.pending) == 8


@pytest.mark.parametrize("target", ["0003_add_product_sku", "head"])
def test_fast_path_equals_full_path(shop: Path, url: str, target: str) -> None:
    settings = load_settings(CliOptions(config=shop, database_url=url))
    api.upgrade(settings, target)
    fast = quick_status(settings)
    assert fast is not None
    assert fast.to_dict() == read_status(settings).to_dict()
    expected_pending = 5 if target != "head" else 0
    assert len(fast.pending) == expected_pending
    assert fast.last_run is not None and fast.last_run.status == "succeeded"


def test_fast_path_steps_aside_for_non_literal_revision_ids(shop: Path, url: str) -> None:
    settings = load_settings(CliOptions(config=shop, database_url=url))
    api.upgrade(settings, "head")
    extra = shop.parent / "migrations" / "versions" / "0009_computed.py"
    extra.write_text(
        'REV = "0009_computed"\nrevision = REV\ndown_revision = "0008_loyalty_points"\n'
        "def upgrade():\n    pass\n\ndef downgrade():\n    pass\n"
    )
    assert quick_status(settings) is None
    full = api.status(settings)
    assert [p.revision for p in full.pending] == ["0009_computed"]


def test_status_of_a_missing_sqlite_file_says_so_and_creates_nothing(
    shop: Path, sqlite_url: str
) -> None:
    settings = load_settings(CliOptions(config=shop, database_url=sqlite_url))
    with pytest.raises(DatabaseUnavailableError, match="no SQLite database"):
        api.status(settings)
    assert not Path(sqlite_url.removeprefix("sqlite:///")).exists()
