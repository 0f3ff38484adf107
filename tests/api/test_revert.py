"""`migsafe revert` (first version): the migrations' own downgrade(), under the same guard."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from migsafe import api
from migsafe.db.fingerprint import diff_descriptions, fingerprint, schema_description
from migsafe.engine.history import OWN_TABLES
from migsafe.errors import ConfirmationRequired, NotReversibleError, UsageError
from migsafe.settings import CliOptions, load_settings


def _described(url: str):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            # Alembic leaves its (empty) version table behind at base; that is not a difference.
            return schema_description(conn, exclude_tables=(*OWN_TABLES, "alembic_version"))
    finally:
        engine.dispose()


def _same_but_column_order(before, after) -> None:
    # The sample app's hand-written downgrade() re-adds columns at the end of the table, as any
    # downgrade() on PostgreSQL must: the same columns, constraints and indexes, another order.
    diff = diff_descriptions(before, after)
    assert all(": order [" in line for line in diff), diff


def _fp(url: str):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return fingerprint(conn, exclude_tables=OWN_TABLES)
    finally:
        engine.dispose()


@pytest.fixture
def settings(shop: Path, pg_url: str):
    return load_settings(CliOptions(config=shop, database_url=pg_url))


def test_revert_undoes_runs_one_at_a_time(settings, pg_url: str) -> None:
    at_base = _described(pg_url)
    first = api.upgrade(settings, "0004_index_orders")
    at_4 = _described(pg_url)
    second = api.upgrade(settings, "head")

    undone = api.revert(settings, yes=True)
    assert undone.at_heads == ("0004_index_orders",)
    assert undone.reverted_run_id == second.run_id
    _same_but_column_order(at_4, _described(pg_url))

    undone = api.revert(settings, yes=True)
    assert undone.at_heads == ()
    assert undone.reverted_run_id == first.run_id
    assert _described(pg_url) == at_base

    with pytest.raises(UsageError, match="no run to revert"):
        api.revert(settings, yes=True)
    runs = {r.run_id: r for r in api.history(settings).runs}
    assert runs[first.run_id].reverted_by and runs[second.run_id].reverted_by


def test_revert_by_steps_and_to(settings) -> None:
    api.upgrade(settings, "head")
    assert api.revert(settings, steps=2, yes=True).at_heads == ("0006_split_customer_name",)
    assert api.revert(settings, to="0002_create_orders", yes=True).at_heads == (
        "0002_create_orders",
    )
    with pytest.raises(UsageError):
        api.revert(settings, to="0001_create_catalog", steps=1, yes=True)


def test_revert_asks_first(settings) -> None:
    api.upgrade(settings, "head")
    with pytest.raises(ConfirmationRequired, match="needs confirmation"):
        api.revert(settings)
    seen = []
    with pytest.raises(ConfirmationRequired, match="cancelled"):
        api.revert(settings, confirm=lambda plan: seen.append(plan) or False)
    assert seen[0].steps[0].revision == "0008_loyalty_points"
    assert api.status(settings).current == ("0008_loyalty_points",)


def test_empty_downgrade_is_refused_with_use_downgrade(shop: Path, settings, pg_url) -> None:
    api.upgrade(settings, "head")
    path = shop.parent / "migrations" / "versions" / "0007_prices_in_cents.py"
    source = path.read_text()
    empty = re.sub(r"def downgrade\(\)[^\n]*:\n(.|\n)*", "def downgrade():\n    pass\n", source)
    path.write_text(empty)
    before = _fp(pg_url)
    with pytest.raises(NotReversibleError, match="0007_prices_in_cents"):
        api.revert(settings, yes=True, use_downgrade=True)
    assert _fp(pg_url) == before
    # The stored reverse does not need it: the default revert goes back all the same.
    assert api.revert(settings, yes=True).status == "succeeded"


def test_revert_refuses_when_the_database_moved_since_the_last_run(settings) -> None:
    api.upgrade(settings, "head")
    api.revert(settings, to="0005_rename_customer_name", yes=True)  # not a run-level undo
    api.upgrade(settings, "0006_split_customer_name")
    engine = sa.create_engine(settings.database_url)
    with engine.begin() as conn:  # someone stamps by hand
        conn.execute(
            sa.text("UPDATE alembic_version SET version_num = '0005_rename_customer_name'")
        )
    engine.dispose()
    with pytest.raises(UsageError, match="something else changed it"):
        api.revert(settings, yes=True)


def test_dry_run_shows_the_plan_and_changes_nothing(settings, pg_url: str) -> None:
    api.upgrade(settings, "head")
    before = _fp(pg_url)
    result = api.revert(settings, dry_run=True)
    assert result.dry_run and len(result.plan.steps) == 8
    assert result.plan.steps[0].sql and "loyalty_points" in result.plan.steps[0].sql
    assert _fp(pg_url) == before
