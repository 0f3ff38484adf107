"""table-rewrite-command: commands that rewrite a whole relation, and the batch recreate."""

from __future__ import annotations

from pathlib import Path

import pytest

from migsafe.lint.context import Context, note
from migsafe.lint.model import Statement, Via
from migsafe.lint.patterns import batch_recreate, recreated_table
from migsafe.lint.sqltext import parse_one
from tests.lint.support import corpus_files, expected, lint_source, lint_upgrade, rule_ids

RULE = "table-rewrite-command"

COPY_FROM = (
    "t = sa.Table('orders', sa.MetaData(), sa.Column('id', sa.Integer, primary_key=True),\n"
    "             sa.Column('note', sa.String(10)))\n"
)


@pytest.mark.parametrize(
    "sql",
    [
        "VACUUM FULL orders",
        "VACUUM (FULL, ANALYZE) orders",
        "VACUUM FULL",
        "CLUSTER orders USING ix_orders_created_at",
        "ALTER TABLE orders SET LOGGED",
        "ALTER TABLE orders SET UNLOGGED",
        "REFRESH MATERIALIZED VIEW order_totals",
    ],
)
def test_a_rewrite_command_is_flagged(sql: str) -> None:
    body = f"with op.get_context().autocommit_block():\n    op.execute({sql!r})"
    assert RULE in rule_ids(lint_upgrade(body))


@pytest.mark.parametrize(
    "sql",
    [
        "VACUUM orders",
        "VACUUM (ANALYZE) orders",
        "VACUUM (FULL false) orders",
        "REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals",
        "REFRESH MATERIALIZED VIEW order_totals WITH NO DATA",
        "ANALYZE orders",
    ],
)
def test_a_look_alike_is_not_flagged(sql: str) -> None:
    body = f"with op.get_context().autocommit_block():\n    op.execute({sql!r})"
    assert RULE not in rule_ids(lint_upgrade(body))


def test_refresh_of_a_view_created_in_the_run_is_not_flagged() -> None:
    body = (
        "op.execute('CREATE MATERIALIZED VIEW order_totals AS SELECT 1 AS n')\n"
        "op.execute('REFRESH MATERIALIZED VIEW order_totals')"
    )
    assert RULE not in rule_ids(lint_upgrade(body))


def test_a_batch_recreate_of_an_existing_table_is_one_finding() -> None:
    body = COPY_FROM + (
        "with op.batch_alter_table('orders', recreate='always', copy_from=t) as batch:\n"
        "    batch.alter_column('note', type_=sa.Text())\n"
    )
    found = [f for f in lint_upgrade(body).findings if f.rule == RULE]
    assert len(found) == 1
    assert found[0].table == "orders"


def test_a_batch_that_only_alters_is_not_flagged() -> None:
    body = (
        "with op.batch_alter_table('orders') as batch:\n"
        "    batch.add_column(sa.Column('note', sa.Text()))\n"
    )
    assert RULE not in rule_ids(lint_upgrade(body))


def test_a_batch_recreate_of_a_table_created_in_the_run_is_not_flagged() -> None:
    body = (
        "op.create_table('orders', sa.Column('id', sa.Integer(), primary_key=True),\n"
        "                sa.Column('note', sa.String(10)))\n"
        + COPY_FROM
        + "with op.batch_alter_table('orders', recreate='always', copy_from=t) as batch:\n"
        "    batch.alter_column('note', type_=sa.Text())\n"
    )
    assert RULE not in rule_ids(lint_upgrade(body))


def _context(sql: str) -> Context:
    statements = [Statement(text, node, 1, Via.OP, revision="r1") for text, node in parse_one(sql)]
    return Context(statements=statements)


RECREATE = (
    "CREATE TABLE _alembic_tmp_orders (id INTEGER NOT NULL, note TEXT);"
    "INSERT INTO _alembic_tmp_orders (id, note) SELECT orders.id, orders.note FROM orders;"
    "DROP TABLE orders;"
    "ALTER TABLE _alembic_tmp_orders RENAME TO orders;"
    "DROP TABLE customers;"
)


def test_recreated_table_names_the_table_for_each_of_the_four_statements() -> None:
    ctx = _context(RECREATE)
    seen = []
    for position, stmt in enumerate(ctx.statements):
        ctx.position = position
        seen.append(recreated_table(stmt, ctx))
        note(ctx, stmt)
    assert seen == ["orders", "orders", "orders", "orders", None]


def test_an_incomplete_pattern_is_not_a_recreate() -> None:
    ctx = _context("CREATE TABLE _alembic_tmp_orders (id INTEGER NOT NULL); DROP TABLE orders;")
    ctx.position = 1
    assert batch_recreate(ctx) is None


@pytest.mark.parametrize(
    "path",
    [p for p in corpus_files() if p.parent.name == "table_rewrite_command"],
    ids=lambda p: p.name,
)
def test_corpus(path: Path) -> None:
    assert rule_ids(lint_source(path.read_text())) == expected(path)
