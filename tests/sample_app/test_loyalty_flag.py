"""Loyalty points, the feature of the riskiest migration (0008), follow the revision-bound flag.

Off below 0008 or when killed: the shop behaves as before 0008 (no points awarded or shown,
the column never read), on SQLite from the bootstrap and on PostgreSQL from the flags in the
database, where a kill switch or a downgrade reaches the running app without a restart.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from alembic import command

from flags import FlagClient
from flags.backends import PostgresStore
from sample_app.shop.app import ShopApp
from sample_app.shop.features import BOOTSTRAP, LOYALTY, LOYALTY_REVISION, register_flags
from sample_app.shop.seed import seed
from tests.sample_app.test_sample_app import alembic_config, call

BEFORE = "0007_prices_in_cents"


@pytest.fixture
def shops() -> Iterator[Callable[..., ShopApp]]:
    """Shops whose flag clients (and engines) are closed at the end of the test."""
    made: list[ShopApp] = []

    def make(url: str, flags: FlagClient | None = None) -> ShopApp:
        shop = ShopApp(sa.create_engine(url, poolclass=sa.pool.NullPool), flags)
        made.append(shop)
        return shop

    yield make
    for shop in made:
        shop.flags.close()
        shop.engine.dispose()


def seeded(url: str) -> None:
    command.upgrade(alembic_config(url), "head")
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        seed(engine)
        register_flags(engine)
    finally:
        engine.dispose()


def loyalty_shown(shop: ShopApp) -> bool:
    status, customer = call(shop, "GET", "/customers/1")
    assert status == 200, customer
    return "loyalty_points" in customer


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll until true; fail after the deadline (a bound, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout}s")
        time.sleep(0.02)


def assert_behaves_as_before_0008(shop: ShopApp) -> None:
    assert not loyalty_shown(shop)
    status, order = call(shop, "GET", "/orders/1")
    assert status == 200 and "loyalty_points" not in order["customer"]
    status, created = call(
        shop, "POST", "/orders", {"customer_id": 2, "items": [{"product_id": 3}]}
    )
    assert status == 201, created
    assert "loyalty_points" not in created["customer"]


def test_on_sqlite_below_0008_the_shop_runs_without_loyalty_points(
    shop_sqlite_url: str, shops: Callable[..., ShopApp]
) -> None:
    seeded(shop_sqlite_url)
    command.downgrade(alembic_config(shop_sqlite_url), BEFORE)
    assert_behaves_as_before_0008(shops(shop_sqlite_url))


def test_on_sqlite_at_head_a_killed_flag_awards_no_points(
    shop_sqlite_url: str, shops: Callable[..., ShopApp]
) -> None:
    seeded(shop_sqlite_url)
    killed = {**BOOTSTRAP, "features": [{**BOOTSTRAP["features"][0], "enabled": False}]}
    shop = shops(shop_sqlite_url, FlagClient.from_features(killed, heads=[LOYALTY_REVISION]))
    assert_behaves_as_before_0008(shop)
    # The points column is still there and untouched: customer 2 earned nothing.
    assert loyalty_shown(shops(shop_sqlite_url)) is True
    assert call(shops(shop_sqlite_url), "GET", "/customers/2")[1]["loyalty_points"] == 0


def test_on_postgresql_the_kill_switch_and_a_downgrade_reach_the_running_shop(
    pg_url: str, shops: Callable[..., ShopApp]
) -> None:
    seeded(pg_url)
    shop = shops(pg_url)
    assert loyalty_shown(shop)
    store = PostgresStore(pg_url)

    store.set_enabled(LOYALTY, False, actor="test", reason="points miscounted")
    wait_for(lambda: not loyalty_shown(shop))
    assert_behaves_as_before_0008(shop)

    store.set_enabled(LOYALTY, True, actor="test")
    wait_for(lambda: loyalty_shown(shop))

    # Nobody touches the flag: the database going below 0008 turns the feature off.
    command.downgrade(alembic_config(pg_url), BEFORE)
    wait_for(lambda: not shop.flags.is_enabled(LOYALTY, default=True))
    assert_behaves_as_before_0008(shop)
    command.upgrade(alembic_config(pg_url), "head")
    wait_for(lambda: shop.flags.is_enabled(LOYALTY))


def test_register_flags_leaves_an_operators_changes_alone(pg_url: str) -> None:
    seeded(pg_url)
    store = PostgresStore(pg_url)
    store.set_enabled(LOYALTY, False, actor="ops", reason="kill")
    engine = sa.create_engine(pg_url, poolclass=sa.pool.NullPool)
    try:
        assert register_flags(engine) is False
    finally:
        engine.dispose()
    _, document = store.load()
    (feature,) = document["features"]
    assert feature["enabled"] is False
    assert feature["migsafe"] == {"requiresRevision": LOYALTY_REVISION}
