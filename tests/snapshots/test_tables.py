"""Which tables ``--backup=tables`` dumps: read from the migrations' SQL, checked on the catalog."""

from __future__ import annotations

import logging.config
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
import sqlalchemy as sa

from migsafe import api
from migsafe.engine.backup import tables_for_plan
from migsafe.settings import CliOptions, Settings, load_settings
from migsafe.snapshots.tables import TablesDecision, touched_tables

REPO = Path(__file__).resolve().parents[2]
STAMP = "UPDATE alembic_version SET version_num='{rev}' WHERE alembic_version.version_num = 'x';"
VT = "public.alembic_version"


def decide(
    *revisions: str | None,
    notes: Sequence[str] = (),
    existing: Callable[[str], bool] | None = None,
    **callbacks: Callable[..., object],
) -> TablesDecision:
    """touched_tables for revisions r1, r2... each stamped like Alembic's offline output."""
    sql = {
        f"r{i}": None if text is None else f"{text}\n{STAMP.format(rev=f'r{i}')}"
        for i, text in enumerate(revisions, start=1)
    }
    return touched_tables(
        sql,
        notes=notes,
        version_table="alembic_version",
        version_table_schema=None,
        existing=existing,
        **callbacks,  # type: ignore[arg-type]
    )


def only(*names: str) -> Callable[[str], bool]:
    return lambda name: name in names


# -- statements that pin tables --------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "tables"),
    [
        pytest.param("ALTER TABLE customers ADD COLUMN points INTEGER;", ["customers"], id="add"),
        pytest.param("ALTER TABLE customers DROP COLUMN points;", ["customers"], id="drop-col"),
        pytest.param(
            "ALTER TABLE products ALTER COLUMN price TYPE INTEGER USING price * 100;",
            ["products"],
            id="alter-type",
        ),
        pytest.param("CREATE INDEX ix_o ON orders (created_at);", ["orders"], id="create-index"),
        pytest.param(
            "CREATE INDEX CONCURRENTLY ix_o ON orders (a);\nDROP INDEX ix_o;",
            ["orders"],
            id="drop-index-created-earlier",
        ),
        pytest.param(
            "UPDATE customers SET tier = 'gold' FROM orders WHERE orders.customer_id = c.id;",
            ["customers"],
            id="update-from-reads-only",
        ),
        pytest.param(
            "INSERT INTO archive (id) SELECT o.id FROM orders o JOIN order_items i ON true;",
            ["archive"],
            id="insert-select-target-only",
        ),
        pytest.param(
            "DELETE FROM carts USING users WHERE carts.u = users.id;", ["carts"], id="del"
        ),
        pytest.param(
            "WITH gone AS (DELETE FROM carts RETURNING id) INSERT INTO log SELECT id FROM gone;",
            ["carts", "log"],
            id="writing-cte",
        ),
        pytest.param("TRUNCATE carts, sessions;", ["carts", "sessions"], id="truncate"),
        pytest.param("COPY products (id) FROM STDIN;", ["products"], id="copy-from"),
        pytest.param("COPY products TO STDOUT;", [], id="copy-to-reads-only"),
        pytest.param("COMMENT ON TABLE products IS 'x';", ["products"], id="comment-table"),
        pytest.param(
            "COMMENT ON COLUMN sales.orders.total IS 'x';", ["sales.orders"], id="comment-col"
        ),
        pytest.param("GRANT SELECT ON products TO reporting;", ["products"], id="grant"),
        pytest.param(
            "SELECT setval(pg_get_serial_sequence('orders', 'id'), 100);", ["orders"], id="setval"
        ),
        pytest.param("LOCK TABLE orders; SET LOCAL lock_timeout = '2s';", [], id="no-change"),
        pytest.param(
            "ALTER TABLE measurements ATTACH PARTITION m2024 FOR VALUES FROM (1) TO (2);",
            ["m2024", "measurements"],
            id="attach-partition",
        ),
    ],
)
def test_written_and_altered_tables_are_dumped(sql: str, tables: list[str]) -> None:
    decision = decide(sql)
    expected = sorted([VT, *(t if "." in t else f"public.{t}" for t in tables)])
    assert decision == TablesDecision("tables", tuple(expected), (), ())


def test_names_keep_their_case_and_schema_as_the_catalog_spells_them() -> None:
    decision = decide(
        'ALTER TABLE "Customer" ADD COLUMN a INT;\n'
        "ALTER TABLE MixedCase ADD COLUMN a INT;\n"
        'UPDATE sales."Order Lines" SET a = 1;\n'
        'INSERT INTO "order" VALUES (1);\n'
        "ALTER TABLE Sales.Regions ADD COLUMN a INT;\n"
        """SELECT setval('"Sales"."Invoice_id_seq"', 1);""",
        owner={"Sales.Invoice_id_seq": "Sales.Invoice"}.get,
    )
    assert decision.mode == "tables", decision.reasons
    assert decision.tables == (
        "Sales.Invoice",
        "public.Customer",
        VT,
        "public.mixedcase",
        "public.order",
        "sales.Order Lines",
        "sales.regions",
    )


def test_unqualified_names_use_the_search_path_schema() -> None:
    decision = touched_tables(
        {"r1": "ALTER TABLE t ADD COLUMN a INT;\nUPDATE app.alembic_version SET version_num='r1';"},
        notes=(),
        version_table="alembic_version",
        version_table_schema="app",
        search_path_schema="tenant",
    )
    assert decision.tables == ("app.alembic_version", "tenant.t")


def test_a_select_on_its_own_is_judged_by_the_functions_it_calls() -> None:
    # Arguments and subqueries are values, assumed pure like any expression in a statement.
    harmless = decide(
        "SELECT pg_advisory_xact_lock(42);\n"
        "SELECT setval(pg_get_serial_sequence('orders', 'id'), (SELECT max(id) FROM orders));\n"
        "SELECT id FROM orders WHERE id > 3;"
    )
    assert harmless.tables == (VT, "public.orders")
    hidden = decide("SELECT backfill()::text AS done;")
    assert hidden.mode == "full" and "a SELECT of backfill()" in hidden.reasons[0]
    from_clause = decide("SELECT * FROM partman.create_parent('public.events');")
    assert from_clause.mode == "full" and "partman.create_parent()" in from_clause.reasons[0]


# -- created tables ----------------------------------------------------------------------------


def test_created_tables_are_dropped_on_restore_even_when_a_later_revision_alters_them() -> None:
    decision = decide(
        "CREATE TABLE loyalty (id SERIAL PRIMARY KEY, customer_id INT REFERENCES customers (id));",
        "ALTER TABLE loyalty ADD COLUMN points INT;\nINSERT INTO loyalty (customer_id) SELECT id "
        "FROM customers;\nCREATE INDEX ix_points ON loyalty (points);",
    )
    assert decision == TablesDecision("tables", (VT,), ("public.loyalty",), ())


def test_create_table_that_exists_already_is_dumped_not_created() -> None:
    decision = decide(
        "CREATE TABLE IF NOT EXISTS audit (id INT);", existing=only(VT, "public.audit")
    )
    assert decision.tables == ("public.alembic_version", "public.audit")
    assert decision.created == ()


def test_renamed_table_dumps_the_old_name_and_drops_the_new_one() -> None:
    decision = decide(
        "ALTER TABLE customers RENAME TO clients;",
        "ALTER TABLE clients ADD COLUMN vip BOOLEAN;\nALTER TABLE clients SET SCHEMA crm;",
    )
    assert decision.tables == (VT, "public.customers")
    assert decision.created == ("crm.clients", "public.clients")


def test_a_table_swap_restores_the_original() -> None:
    decision = decide(
        "CREATE TABLE products_new (LIKE products INCLUDING ALL);\n"
        "INSERT INTO products_new SELECT * FROM products;\n"
        "DROP TABLE products;\nALTER TABLE products_new RENAME TO products;"
    )
    assert decision.tables == (VT, "public.products")
    assert decision.created == ("public.products_new",)


def test_temporary_tables_are_ignored() -> None:
    decision = decide(
        "CREATE TEMP TABLE ids AS SELECT id FROM orders;\nINSERT INTO ids VALUES (1);\n"
        "UPDATE orders SET flag = true FROM ids WHERE ids.id = orders.id;\nDROP TABLE ids;"
    )
    assert decision.tables == (VT, "public.orders") and decision.created == ()


# -- the version table -------------------------------------------------------------------------


def test_version_table_is_always_dumped_when_it_exists() -> None:
    decision = decide("", "SELECT 1;", existing=only(VT))
    assert decision.tables == (VT,) and decision.created == ()


def test_version_table_is_created_when_the_database_is_empty() -> None:
    from_base = decide("CREATE TABLE customers (id INT);", existing=only())
    assert from_base == TablesDecision("tables", (), (VT, "public.customers"), ())
    rendered = decide("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL);")
    assert rendered.created == (VT,) and rendered.tables == ()


# -- the live catalog's part -------------------------------------------------------------------


def test_drop_index_finds_its_table_through_the_catalog() -> None:
    owners = {
        "public.ix_orders_created_at": "public.orders",
        "public.orders_id_seq": "public.orders",
    }
    decision = decide(
        "DROP INDEX ix_orders_created_at;\nSELECT setval('orders_id_seq', 1);",
        owner=owners.get,
    )
    assert decision.tables == (VT, "public.orders")
    assert decision.created == ()


def test_drop_index_without_the_catalog_falls_back_to_full() -> None:
    decision = decide("DROP INDEX ix_orders_created_at;")
    assert decision.mode == "full" and decision.tables == ()
    assert (
        "r1: cannot tell which tables it touches: index public.ix_orders_created_at"
        in (decision.reasons[0])
    )


def test_missing_tables_are_noted_unless_the_statement_allows_it() -> None:
    decision = decide(
        "DROP TABLE IF EXISTS legacy;\nALTER TABLE ghosts ADD COLUMN a INT;",
        existing=only(VT),
    )
    assert decision.mode == "tables" and decision.tables == (VT,)
    assert decision.reasons == ("public.ghosts does not exist now, so there is nothing to dump",)


def test_tables_whose_foreign_keys_point_at_dumped_tables_are_dumped_too() -> None:
    fks = {"public.customers": ["public.orders"], "public.orders": ["public.order_items"]}

    def referencing(tables: Sequence[str]) -> list[str]:
        return [r for t in tables for r in fks.get(t, []) if r not in tables]

    decision = decide("ALTER TABLE customers ADD COLUMN a INT;", referencing=referencing)
    assert decision.tables == (VT, "public.customers", "public.order_items", "public.orders")
    assert decision.reasons == (
        "public.orders is dumped too: its foreign keys point at a dumped table",
        "public.order_items is dumped too: its foreign keys point at a dumped table",
    )


def test_migsafes_own_tables_are_never_dumped_nor_dropped() -> None:
    """Flags written by a migration, an archived table whose foreign key points at a dumped
    table: migsafe's own, which a restore leaves as they are."""
    fks = {"public.customers": ["migsafe_archive.orders__abc"]}

    def referencing(tables: Sequence[str]) -> list[str]:
        return [r for t in tables for r in fks.get(t, []) if r not in tables]

    decision = decide(
        "ALTER TABLE customers ADD COLUMN a INT;\n"
        "UPDATE migsafe_flags.features SET definition = '{}';\n"
        "CREATE TABLE migsafe_flags.extra (x int);",
        referencing=referencing,
        kept=("migsafe", "migsafe_flags", "migsafe_archive"),
        existing=lambda name: name != "migsafe_flags.extra",
    )
    assert decision.mode == "tables"
    assert decision.tables == (VT, "public.customers")
    assert decision.created == ()
    assert decision.reasons == (
        "migsafe_flags.features is not dumped: it is migsafe's own, which a restore never touches",
        "migsafe_flags.extra is not dumped: it is migsafe's own, which a restore never touches",
    )


def test_dependents_that_a_table_restore_would_drop_force_full() -> None:
    def dependents(tables: Sequence[str]) -> list[str]:
        assert list(tables) == [VT, "public.customers"]
        return ["view public.customer_emails depends on it"]

    decision = decide("ALTER TABLE customers ADD COLUMN a INT;", dependents=dependents)
    assert decision == TablesDecision(
        "full",
        (),
        (),
        ("cannot restore table by table: view public.customer_emails depends on it",),
    )


# -- falling back to a full dump ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "why"),
    [
        pytest.param("DO $$ BEGIN UPDATE t SET a = 1; END $$;", "a DO block", id="do-block"),
        pytest.param("ALTER TABLE customers ADD COLUMN", "does not parse", id="unparseable"),
        pytest.param("CREATE VIEW v AS SELECT * FROM t;", "a view is not a table", id="view"),
        pytest.param(
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';", "a function", id="func"
        ),
        pytest.param(
            "CREATE TRIGGER tg BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f();",
            "a trigger",
            id="trigger",
        ),
        pytest.param("CALL backfill();", "a procedure", id="call"),
        pytest.param("SELECT backfill_everything();", "backfill_everything()", id="select-fn"),
        pytest.param("CREATE TYPE mood AS ENUM ('ok');", "not a table statement", id="type"),
        pytest.param("ALTER SEQUENCE orders_id_seq RESTART;", "needs the live catalog", id="seq"),
        pytest.param("SET search_path TO tenant_1;", "search_path", id="search-path"),
        pytest.param("DROP VIEW v;", "a view is not a table", id="drop-view"),
        pytest.param(
            "ALTER MATERIALIZED VIEW mv RENAME TO mv2;", "a materialized view is not", id="matview"
        ),
    ],
)
def test_statements_that_cannot_be_pinned_to_tables_fall_back_to_full(sql: str, why: str) -> None:
    decision = decide("ALTER TABLE a ADD COLUMN b INT;", sql)
    assert (decision.mode, decision.tables, decision.created) == ("full", (), ())
    assert len(decision.reasons) == 1
    assert decision.reasons[0].startswith("revision r2: cannot tell which tables it touches: ")
    assert why in decision.reasons[0]


def test_a_revision_without_sql_falls_back_to_full_with_render_sqls_reason() -> None:
    note = "offline SQL is incomplete: rendering stopped with NotImplementedError: no bind"
    decision = decide("ALTER TABLE a ADD COLUMN b INT;", None, notes=[note])
    assert decision == TablesDecision(
        "full", (), (), (f"revision r2: cannot tell which tables it touches: {note}",)
    )


def test_a_revision_whose_rendering_stopped_part_way_falls_back_to_full() -> None:
    note = "offline SQL is incomplete: rendering stopped with ..."
    sql = {"r1": "ALTER TABLE a ADD COLUMN b INT;"}  # no version stamp: it never got there
    decision = touched_tables(
        sql, notes=[note], version_table="alembic_version", version_table_schema=None
    )
    assert decision.mode == "full"
    assert decision.reasons == (
        f"revision r1: cannot tell which tables it touches: its offline SQL stops part-way: {note}",
    )


# -- on the sample app (real PostgreSQL) -------------------------------------------------------


@pytest.fixture
def settings(tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """sample_app copied into tmp_path (as tests/api's `shop`), on a fresh database."""
    target = tmp_path / "sample_app"
    shutil.copytree(
        REPO / "sample_app", target, ignore=shutil.ignore_patterns("*.db*", "__pycache__")
    )
    monkeypatch.setattr(logging.config, "fileConfig", lambda *a, **k: None)
    monkeypatch.chdir(target)
    return load_settings(CliOptions(config=target / "alembic.ini", database_url=pg_url))


def plan_decision(
    settings: Settings, target: str = "head", *, down: bool = False
) -> TablesDecision:
    """tables_for_plan for the plan `upgrade TARGET` (or `revert --to TARGET`) would run."""
    from migsafe.engine import runner
    from migsafe.engine.project import downgrade_steps, upgrade_steps

    _, session = runner.open_run(settings, dry_run=True)
    try:
        find_steps = downgrade_steps if down else upgrade_steps
        steps = find_steps(session.project, target, session.heads)
        command, direction = ("revert", "downgrade") if down else ("upgrade", "upgrade")
        plan = runner.make_plan(session, command, direction, target, steps)
        return tables_for_plan(session, plan, steps)
    finally:
        session.close()


@pytest.fixture
def at_0004(settings: Settings) -> Iterator[Settings]:
    api.upgrade(settings, "0004_index_orders")
    yield settings


def test_sample_app_0005_to_0008_dumps_the_tables_they_write(at_0004: Settings) -> None:
    # 0005/0006/0008 alter and update customers; 0007 products and order_items; 0008 only
    # reads orders, which is dumped anyway: its foreign key points at customers.
    decision = plan_decision(at_0004)
    assert decision == TablesDecision(
        "tables",
        (VT, "public.customers", "public.order_items", "public.orders", "public.products"),
        (),
        ("public.orders is dumped too: its foreign keys point at a dumped table",),
    )


def test_sample_app_revert_resolves_dropped_indexes_through_the_catalog(at_0004: Settings) -> None:
    decision = plan_decision(at_0004, "0003_add_product_sku", down=True)
    # 0004's downgrade drops two indexes on orders; order_items' foreign key points at orders.
    assert decision == TablesDecision(
        "tables",
        (VT, "public.order_items", "public.orders"),
        (),
        ("public.order_items is dumped too: its foreign keys point at a dumped table",),
    )


def test_sample_app_from_an_empty_database_creates_everything(settings: Settings) -> None:
    decision = plan_decision(settings, "0002_create_orders")
    created = [VT, "public.customers", "public.order_items", "public.orders", "public.products"]
    assert decision == TablesDecision("tables", (), tuple(sorted(created)), ())


def test_sample_app_views_and_triggers_on_dumped_tables_force_full(
    at_0004: Settings, pg_url: str
) -> None:
    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE VIEW customer_emails AS SELECT id, email FROM customers")
        conn.exec_driver_sql(
            "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RETURN NEW; END $$"
        )
        conn.exec_driver_sql(
            "CREATE TRIGGER products_touch BEFORE UPDATE ON products "
            "FOR EACH ROW EXECUTE FUNCTION touch()"
        )
    engine.dispose()
    decision = plan_decision(at_0004)
    assert decision.mode == "full" and decision.tables == ()
    assert decision.reasons == (
        "cannot restore table by table: trigger products_touch on products runs code that may "
        "write other tables",
        "cannot restore table by table: view customer_emails depends on it",
    )
