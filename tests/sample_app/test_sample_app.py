"""The sample shop and its Alembic project, driven with plain `alembic.command`."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

import sample_app
from sample_app.shop.__main__ import main as shop_main
from sample_app.shop.app import ShopApp
from sample_app.shop.db import DEFAULT_DB_PATH, database_url
from sample_app.shop.models import Base
from sample_app.shop.seed import seed

SAMPLE_APP = Path(sample_app.__file__).resolve().parent
ALEMBIC_INI = SAMPLE_APP / "alembic.ini"

CHAIN = [
    "0001_create_catalog",
    "0002_create_orders",
    "0003_add_product_sku",
    "0004_index_orders",
    "0005_rename_customer_name",
    "0006_split_customer_name",
    "0007_prices_in_cents",
    "0008_loyalty_points",
]
HEAD = CHAIN[-1]
TABLES = {"customers", "products", "orders", "order_items"}


def alembic_config(url: str, output: io.StringIO | None = None) -> Config:
    config = Config(str(ALEMBIC_INI), output_buffer=output)
    # ConfigParser interpolation: a literal % (e.g. in a password) must be doubled.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@pytest.fixture
def engine_for() -> Iterator[Any]:
    engines: list[sa.Engine] = []

    def make(url: str) -> sa.Engine:
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.dispose()


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def table_names(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def column_names(engine: sa.Engine, table: str) -> set[str]:
    return {col["name"] for col in sa.inspect(engine).get_columns(table)}


# --- the revision scripts -----------------------------------------------------------------


def test_revision_chain_is_linear_and_documented() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert script.get_heads() == [HEAD]
    revisions = list(reversed(list(script.walk_revisions())))
    assert [rev.revision for rev in revisions] == CHAIN
    for rev in revisions:
        assert rev.doc, f"{rev.revision} has no docstring"
        assert Path(rev.path).name == f"{rev.revision}.py"
        assert callable(rev.module.downgrade)
    assert "SHOP_BREAK_MIGRATION" in (revisions[-1].module.__doc__ or "")


def test_env_py_is_the_stock_template() -> None:
    env = (SAMPLE_APP / "migrations" / "env.py").read_text()
    assert "engine_from_config(" in env and "poolclass=pool.NullPool" in env
    assert "run_migrations_offline" in env and "render_as_batch=True" in env
    assert "migsafe" not in env


def test_offline_sql_for_postgresql_covers_the_whole_chain() -> None:
    output = io.StringIO()
    config = alembic_config("postgresql+psycopg://shop@localhost/shop", output)
    command.upgrade(config, "head", sql=True)
    command.downgrade(config, f"{HEAD}:base", sql=True)
    sql = output.getvalue()
    for revision in CHAIN:
        assert f"-> {revision}" in sql
    assert "ALTER TABLE customers ADD COLUMN loyalty_points" in sql
    assert "DROP TABLE customers" in sql


# --- migrating a real database ------------------------------------------------------------


def test_upgrade_head_then_downgrade_base(shop_db_url: str, engine_for: Any) -> None:
    config = alembic_config(shop_db_url)
    engine = engine_for(shop_db_url)

    command.upgrade(config, "head")
    assert current_revision(engine) == HEAD
    assert table_names(engine) >= TABLES
    assert "loyalty_points" in column_names(engine, "customers")

    command.downgrade(config, "base")
    assert current_revision(engine) is None
    assert table_names(engine) - {"alembic_version"} == set()

    # And the chain can be replayed after a full rollback.
    command.upgrade(config, "head")
    assert current_revision(engine) == HEAD


def test_data_migrations_backfill_and_reverse(shop_db_url: str, engine_for: Any) -> None:
    config = alembic_config(shop_db_url)
    engine = engine_for(shop_db_url)
    command.upgrade(config, "0002_create_orders")
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO customers (email, name) VALUES "
                "('ada@example.com', 'Ada Lovelace'), ('cher@example.com', 'Cher'),"
                " ('jl@example.com', 'Jean Luc Picard')"
            )
        )
        conn.execute(sa.text("INSERT INTO products (name, price, stock) VALUES ('Mug', 12.5, 3)"))
        conn.execute(sa.text("INSERT INTO products (name, price, stock) VALUES ('Tee', 24.99, 1)"))
        conn.execute(
            sa.text("INSERT INTO orders (customer_id, status) VALUES (1, 'paid'), (1, 'cancelled')")
        )
        conn.execute(
            sa.text(
                "INSERT INTO order_items (order_id, product_id, quantity, unit_price) VALUES "
                "(1, 1, 2, 12.5), (1, 2, 1, 24.99), (2, 2, 5, 24.99)"
            )
        )

    command.upgrade(config, "head")
    with engine.connect() as conn:
        customers = conn.execute(
            sa.text("SELECT first_name, last_name, loyalty_points FROM customers ORDER BY id")
        ).all()
        products = conn.execute(sa.text("SELECT sku, price_cents FROM products ORDER BY id")).all()
        items = conn.execute(sa.text("SELECT unit_price_cents FROM order_items ORDER BY id")).all()
    # 0006 split the names; 0008 counted 2 * 12.50 + 24.99 (the cancelled order is ignored).
    assert [tuple(row) for row in customers] == [
        ("Ada", "Lovelace", 49),
        ("Cher", "", 0),
        ("Jean", "Luc Picard", 0),
    ]
    assert [tuple(row) for row in products] == [("SKU-1", 1250), ("SKU-2", 2499)]  # 0003, 0007
    assert [row[0] for row in items] == [1250, 2499, 2499]

    command.downgrade(config, "0002_create_orders")
    with engine.connect() as conn:
        names = conn.execute(sa.text("SELECT name FROM customers ORDER BY id")).scalars().all()
        prices = conn.execute(sa.text("SELECT price FROM products ORDER BY id")).scalars().all()
    assert names == ["Ada Lovelace", "Cher", "Jean Luc Picard"]
    assert [round(float(price), 2) for price in prices] == [12.5, 24.99]
    assert "sku" not in column_names(engine, "products")


def test_failure_demo_fails_at_its_revision(
    shop_db_url: str, engine_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = alembic_config(shop_db_url)
    engine = engine_for(shop_db_url)
    monkeypatch.setenv("SHOP_BREAK_MIGRATION", "1")

    with pytest.raises(sa.exc.DBAPIError, match="unit_price"):
        command.upgrade(config, "head")

    assert current_revision(engine) != HEAD
    if engine.dialect.name == "postgresql":
        # Transactional DDL: the whole run, 0001 to 0008, was rolled back together.
        assert current_revision(engine) is None
        assert table_names(engine) - {"alembic_version"} == set()
    else:
        # SQLite: 0001..0007 are committed and 0008 is half applied (its column was
        # added, its version was not stamped): the state migsafe is there to repair.
        assert current_revision(engine) == "0007_prices_in_cents"
        assert "loyalty_points" in column_names(engine, "customers")


def test_failure_demo_from_previous_revision(
    shop_sqlite_url: str, engine_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = alembic_config(shop_sqlite_url)
    engine = engine_for(shop_sqlite_url)
    command.upgrade(config, "0007_prices_in_cents")

    monkeypatch.setenv("SHOP_BREAK_MIGRATION", "1")
    with pytest.raises(sa.exc.OperationalError, match="no such column"):
        command.upgrade(config, "+1")
    assert current_revision(engine) == "0007_prices_in_cents"

    # Without the variable (any other value) the migration itself is fine, but plain
    # alembic cannot simply be re-run: SQLite kept the half-applied column.
    monkeypatch.setenv("SHOP_BREAK_MIGRATION", "0")
    with pytest.raises(sa.exc.OperationalError, match="duplicate column name: loyalty_points"):
        command.upgrade(config, "head")

    with engine.begin() as conn:  # the manual repair migsafe is meant to make unnecessary
        conn.execute(sa.text("ALTER TABLE customers DROP COLUMN loyalty_points"))
    command.upgrade(config, "head")
    assert current_revision(engine) == HEAD


def test_models_match_the_migrated_schema(shop_db_url: str, engine_for: Any) -> None:
    command.upgrade(alembic_config(shop_db_url), "head")
    engine = engine_for(shop_db_url)

    def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
        return not (type_ == "table" and name == "alembic_version")

    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                "include_name": include_name,
            },
        )
        diffs = compare_metadata(context, Base.metadata)
    assert diffs == []


# --- the application ----------------------------------------------------------------------


def call(
    app: ShopApp, method: str, path: str, body: Any = None, raw: bytes | None = None
) -> tuple[int, Any]:
    payload = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "CONTENT_LENGTH": str(len(payload)),
        "CONTENT_TYPE": "application/json",
        "wsgi.input": io.BytesIO(payload),
    }
    setup_testing_defaults(environ)
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        captured["status"] = int(status.split()[0])
        captured["headers"] = dict(headers)

    chunks = b"".join(app(environ, start_response))
    assert captured["headers"]["Content-Type"] == "application/json"
    assert int(captured["headers"]["Content-Length"]) == len(chunks)
    return captured["status"], json.loads(chunks)


@pytest.fixture
def shop(shop_sqlite_url: str, engine_for: Any) -> ShopApp:
    command.upgrade(alembic_config(shop_sqlite_url), "head")
    engine = engine_for(shop_sqlite_url)
    assert seed(engine) is True
    assert seed(engine) is False  # idempotent
    return ShopApp(engine)


def test_wsgi_read_endpoints(shop: ShopApp) -> None:
    assert call(shop, "GET", "/health") == (200, {"status": "ok"})

    status, products = call(shop, "GET", "/products")
    assert status == 200
    assert [p["sku"] for p in products] == ["MUG-001", "TEE-001", "STK-001", "NTB-001"]
    assert products[0]["price"] == "12.50" and products[0]["stock"] == 38

    status, order = call(shop, "GET", "/orders/1")
    assert status == 200
    assert order["total_cents"] == 2 * 1250 + 2400
    assert order["customer"]["full_name"] == "Ada Lovelace"
    assert order["customer"]["loyalty_points"] == 49

    status, customer = call(shop, "GET", "/customers/2/")
    assert (status, customer["email"], customer["loyalty_points"]) == (
        200,
        "grace@example.com",
        0,
    )


def test_wsgi_create_order_awards_loyalty_points(shop: ShopApp) -> None:
    status, order = call(
        shop,
        "POST",
        "/orders",
        {"customer_id": 2, "items": [{"product_id": 3, "quantity": 3}, {"product_id": 4}]},
    )
    assert status == 201
    assert order["status"] == "pending"
    assert order["total_cents"] == 3 * 499 + 1599
    assert [item["quantity"] for item in order["items"]] == [3, 1]
    assert order["customer"]["loyalty_points"] == 30

    assert call(shop, "GET", f"/orders/{order['id']}") == (200, order)
    _, products = call(shop, "GET", "/products")
    assert {p["sku"]: p["stock"] for p in products}["STK-001"] == 197


def test_wsgi_errors(shop: ShopApp) -> None:
    assert call(shop, "GET", "/orders/999")[0] == 404
    assert call(shop, "GET", "/nowhere")[0] == 404
    assert call(shop, "DELETE", "/products")[0] == 405
    assert call(shop, "POST", "/orders")[0] == 400
    assert call(shop, "POST", "/orders", raw=b"{not json")[0] == 400
    assert call(shop, "POST", "/orders", {"customer_id": 1, "items": []})[0] == 400
    assert (
        call(shop, "POST", "/orders", {"customer_id": 99, "items": [{"product_id": 1}]})[0] == 404
    )

    status, error = call(
        shop, "POST", "/orders", {"customer_id": 1, "items": [{"product_id": 1, "quantity": 1000}]}
    )
    assert (status, error) == (409, {"error": "not enough stock for MUG-001"})
    # Nothing of the rejected order was kept.
    _, products = call(shop, "GET", "/products")
    assert products[0]["stock"] == 38


# --- the command line and configuration ---------------------------------------------------


def test_cli_seed(shop_sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert shop_main(["--url", shop_sqlite_url, "seed"]) == 1  # not migrated yet
    assert "upgrade head" in capsys.readouterr().err

    command.upgrade(alembic_config(shop_sqlite_url), "head")
    assert shop_main(["--url", shop_sqlite_url, "seed"]) == 0
    assert shop_main(["--url", shop_sqlite_url, "seed"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "seeded demo data",
        "already seeded; nothing to do",
    ]


def test_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    assert database_url() == f"sqlite:///{DEFAULT_DB_PATH}"
    assert DEFAULT_DB_PATH == SAMPLE_APP / "shop.db"
    monkeypatch.setenv("SHOP_DATABASE_URL", "postgresql+psycopg://shop@db/shop")
    assert database_url() == "postgresql+psycopg://shop@db/shop"


def test_alembic_ini_points_at_the_same_default_database() -> None:
    config = Config(str(ALEMBIC_INI))
    assert config.get_main_option("sqlalchemy.url") == f"sqlite:///{SAMPLE_APP}/shop.db"
    assert config.get_main_option("script_location") == f"{SAMPLE_APP}/migrations"
