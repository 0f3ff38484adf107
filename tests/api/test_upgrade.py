"""`migsafe upgrade` targets and the plan, on the sample app (real PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from migsafe import api
from migsafe.errors import RevisionError, UsageError
from migsafe.settings import CliOptions, load_settings


@pytest.fixture
def settings(shop: Path, pg_url: str):
    return load_settings(CliOptions(config=shop, database_url=pg_url))


def test_relative_targets_work_like_alembic(settings) -> None:
    assert api.upgrade(settings, "+2").at_heads == ("0002_create_orders",)
    assert api.upgrade(settings, "+1").at_heads == ("0003_add_product_sku",)
    assert api.revert(settings, steps=1, yes=True).at_heads == ("0002_create_orders",)


def test_unknown_target_is_a_revision_error_and_nothing_is_recorded(settings) -> None:
    with pytest.raises(RevisionError, match="nosuch"):
        api.upgrade(settings, "nosuch")
    assert api.history(settings).runs == ()


def test_dry_run_plan_lists_every_step_with_its_sql(settings) -> None:
    result = api.upgrade(settings, "head", dry_run=True)
    plan = result.plan
    assert plan.steps[0].revision == "0001_create_catalog"
    assert len(plan.steps) == 8 and plan.guard == "transaction"
    assert all(s.sql for s in plan.steps), [s.revision for s in plan.steps if not s.sql]
    assert "CREATE TABLE customers" in plan.steps[0].sql
    assert api.status(settings).current == ()


def test_a_noop_run_is_recorded_as_such(settings) -> None:
    api.upgrade(settings, "head")
    again = api.upgrade(settings, "head")
    assert again.status == "noop" and again.plan.steps == ()
    runs = api.history(settings).runs
    assert [r.status for r in runs] == ["succeeded", "succeeded"]
    assert runs[0].from_revisions == runs[0].to_revisions == ("0008_loyalty_points",)


def test_history_never_holds_the_password(settings, pg_url: str, monkeypatch) -> None:
    import sqlalchemy as sa

    from migsafe.errors import MigrationFailed

    password = sa.engine.make_url(pg_url).password
    assert password
    api.upgrade(settings, "0002_create_orders")
    monkeypatch.setenv("SHOP_BREAK_MIGRATION", "1")
    with pytest.raises(MigrationFailed):
        api.upgrade(settings, "head")
    engine = sa.create_engine(pg_url)
    with engine.connect() as conn:
        dumped = conn.execute(
            sa.text("SELECT string_agg(h::text, ' ') FROM migsafe.migsafe_history h")
        ).scalar()
    engine.dispose()
    assert dumped and "0008_loyalty_points" in dumped
    assert password not in dumped


def test_history_shows_one_run_with_its_plan(settings) -> None:
    result = api.upgrade(settings, "0002_create_orders")
    shown = api.history(settings, run_id=result.run_id[:6])
    (run,) = shown.runs
    assert run.run_id == result.run_id
    assert [s["revision"] for s in run.plan["steps"]] == [
        "0001_create_catalog",
        "0002_create_orders",
    ]
    assert shown.journal == ()
    with pytest.raises(UsageError, match="no run"):
        api.history(settings, run_id="nosuchrun")


def test_the_operations_each_revision_ran_are_recorded(settings) -> None:
    result = api.upgrade(settings, "0005_rename_customer_name")
    (run,) = api.history(settings, run_id=result.run_id).runs
    ops = run.operations
    assert [o["op"] for o in ops["0001_create_catalog"]] == ["CreateTableOp", "CreateTableOp"]
    assert ops["0001_create_catalog"][0]["columns"] == ["id", "email", "name", "created_at"]
    kinds = [o["op"] for o in ops["0003_add_product_sku"]]
    assert kinds == ["AddColumnOp", "ExecuteSQLOp", "AlterColumnOp", "CreateUniqueConstraintOp"]
    (rename,) = ops["0005_rename_customer_name"]
    assert (rename["column_name"], rename["modify_name"], rename["batch"]) == (
        "name",
        "full_name",
        "customers",
    )
