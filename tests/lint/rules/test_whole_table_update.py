"""whole-table-update: an UPDATE that rewrites every row of an existing table in the migration's
transaction, however it is sent; bounded or new-table UPDATEs are not."""

from __future__ import annotations

import pytest

from migsafe.lint.context import TableStats
from tests.lint.support import lint_source, lint_upgrade, rule_ids

RULE = "whole-table-update"

FLAGGED = {
    "op-execute": "op.execute(\"UPDATE users SET status = 'active'\")",
    "where-true": "op.execute(\"UPDATE users SET status = 'active' WHERE TRUE\")",
    "where-1-eq-1": "op.execute(\"UPDATE users SET status = 'active' WHERE 1 = 1\")",
    "cte": (
        "op.execute(\"WITH moved AS (UPDATE users SET status = 'x' RETURNING id) "
        'INSERT INTO audit (user_id) SELECT id FROM moved")'
    ),
    "connection-text": (
        "op.get_bind().execute(sa.text(\"UPDATE users SET status = :s\"), {'s': 'active'})"
    ),
    "core-update": """
        users = sa.table("users", sa.column("status", sa.String))
        op.execute(users.update().values(status="active"))
    """,
    "core-update-connection": """
        users = sa.table("users", sa.column("status", sa.String))
        op.get_bind().execute(sa.update(users).values(status="active"))
    """,
    "new-column-is-null": """
        op.add_column("users", sa.Column("status", sa.String(), nullable=True))
        op.execute("UPDATE users SET status = 'active' WHERE status IS NULL")
    """,
    "batches-in-transaction": """
        conn = op.get_bind()
        top = conn.execute(sa.text("SELECT max(id) FROM users")).scalar() or 0
        for lo in range(0, top + 1, 1000):
            conn.execute(
                sa.text("UPDATE users SET status = 'a' WHERE id >= :lo AND id < :hi"),
                {"lo": lo, "hi": lo + 1000},
            )
    """,
}

NOT_FLAGGED = {
    "with-where": "op.execute(\"UPDATE users SET status = 'active' WHERE id = 1\")",
    "where-false-constant": "op.execute(\"UPDATE users SET status = 'a' WHERE 1 = 2\")",
    "where-column-true": "op.execute(\"UPDATE users SET status = 'a' WHERE is_active\")",
    "new-table": """
        op.create_table("flags", sa.Column("id", sa.Integer, primary_key=True),
                        sa.Column("on", sa.Boolean))
        op.execute("UPDATE flags SET on = false")
    """,
    "core-with-where": """
        users = sa.table("users", sa.column("id", sa.Integer), sa.column("status", sa.String))
        op.execute(users.update().where(users.c.id < 10).values(status="a"))
    """,
    "new-column-with-default-is-null": """
        op.add_column("users", sa.Column("status", sa.String(), server_default="a"))
        op.execute("UPDATE users SET status = 'b' WHERE status IS NULL")
    """,
    "old-column-is-null": "op.execute(\"UPDATE users SET status = 'a' WHERE status IS NULL\")",
    "batches-in-autocommit": """
        conn = op.get_bind()
        with op.get_context().autocommit_block():
            top = conn.execute(sa.text("SELECT max(id) FROM users")).scalar() or 0
            for lo in range(0, top + 1, 1000):
                conn.execute(
                    sa.text("UPDATE users SET status = 'a' WHERE id >= :lo AND id < :hi"),
                    {"lo": lo, "hi": lo + 1000},
                )
    """,
    "loop-over-literals": """
        for old, new in [("a", "b"), ("c", "d")]:
            op.execute(sa.text("UPDATE users SET status = :n WHERE status = :o")
                       .bindparams(n=new, o=old))
    """,
    "select-only": 'op.execute("SELECT count(*) FROM users")',
    "rule-action": (
        'op.execute("CREATE RULE r AS ON INSERT TO log DO ALSO UPDATE counters SET n = n + 1")'
    ),
    "explain": "op.execute(\"EXPLAIN UPDATE users SET status = 'a'\")",
    "function-body": (
        'op.execute("CREATE FUNCTION reset() RETURNS void LANGUAGE sql '
        'BEGIN ATOMIC UPDATE users SET status = NULL; END")'
    ),
    "insert-select": 'op.execute("INSERT INTO archive SELECT * FROM users")',
}


@pytest.mark.parametrize("body", FLAGGED.values(), ids=FLAGGED.keys())
def test_flagged(body: str) -> None:
    assert RULE in rule_ids(lint_upgrade(body))


@pytest.mark.parametrize("body", NOT_FLAGGED.values(), ids=NOT_FLAGGED.keys())
def test_not_flagged(body: str) -> None:
    assert RULE not in rule_ids(lint_upgrade(body))


def test_message_names_the_table_and_the_locks() -> None:
    (finding,) = lint_upgrade("op.execute(\"UPDATE users SET status = 'a'\")").findings
    assert finding.table == "users"
    assert "every row of users" in finding.message
    assert "locked" in finding.message
    assert finding.severity == "warning"


ORM = '''\
"""orm"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import orm

revision = "r1"
down_revision = None
branch_labels = None
depends_on = None

Base = orm.declarative_base()


class User(Base):
    __tablename__ = "users"
    id = sa.Column(sa.Integer, primary_key=True)
    status = sa.Column(sa.String)


def upgrade():
    session = orm.Session(bind=op.get_bind())
    {call}
    session.commit()


def downgrade():
    op.execute("SELECT 1")
'''


def test_orm_update_without_filter_names_the_models_table() -> None:
    result = lint_source(ORM.format(call='session.query(User).update({User.status: "a"})'))
    (finding,) = [f for f in result.findings if f.rule == RULE]
    assert finding.table == "users"
    assert "query(User).update()" in finding.message


def test_orm_update_with_filter_is_not_flagged() -> None:
    call = 'session.query(User).filter(User.id < 10).update({User.status: "a"})'
    assert RULE not in rule_ids(lint_source(ORM.format(call=call)))


def test_orm_2_style_update_after_the_render_stopped() -> None:
    call = 'session.execute(sa.update(User).values(status="a"))'
    result = lint_source(ORM.format(call=call))
    (finding,) = [f for f in result.findings if f.rule == RULE]
    assert finding.table == "users"


def test_orm_2_style_update_with_where_is_not_flagged() -> None:
    call = 'session.execute(sa.update(User).where(User.id < 10).values(status="a"))'
    assert RULE not in rule_ids(lint_source(ORM.format(call=call)))


def test_untyped_core_table_that_stops_the_render_is_reported_once() -> None:
    body = """
        users = sa.table("users", sa.column("id"), sa.column("status"))
        op.execute(users.update().values(status="active"))
    """
    assert [f.rule for f in lint_upgrade(body).findings] == [RULE]


def test_a_table_batch_recreated_is_still_an_existing_table() -> None:
    body = """
        tags = sa.Table(
            "tags", sa.MetaData(),
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("label", sa.String(50)),
        )
        with op.batch_alter_table("tags", copy_from=tags, recreate="always") as batch_op:
            batch_op.alter_column("label", existing_type=sa.String(50), nullable=False)
        op.execute("UPDATE tags SET label = 'x'")
    """
    assert RULE in rule_ids(lint_upgrade(body))


HELPER = '''\
"""helper"""
from alembic import op
import sqlalchemy as sa

revision = "r1"
down_revision = None
branch_labels = None
depends_on = None


def backfill(conn):
    top = conn.execute(sa.text("SELECT max(id) FROM users")).scalar() or 0
    for lo in range(0, top + 1, 1000):
        while conn.execute(
            sa.text("UPDATE users SET n = 0 WHERE id >= :lo AND id < :hi AND n IS NULL"),
            {{"lo": lo, "hi": lo + 1000}},
        ).rowcount:
            pass


def upgrade():
{body}


def downgrade():
    op.execute("SELECT 1")
'''


def test_a_batching_helper_called_in_the_transaction_is_one_finding() -> None:
    result = lint_source(HELPER.format(body="    backfill(op.get_bind())"))
    assert [(f.rule, f.table) for f in result.findings] == [(RULE, "users")]


def test_a_batching_helper_called_inside_autocommit_block_is_not_flagged() -> None:
    body = "    with op.get_context().autocommit_block():\n        backfill(op.get_bind())"
    assert RULE not in rule_ids(lint_source(HELPER.format(body=body)))


class _Live:
    """A catalog where ``users`` is big and ``settings`` tiny."""

    server_version = 160000
    sizes = {"users": TableStats(rows=5_000_000, bytes=2 << 30), "settings": TableStats(3, 8192)}

    def table(self, name: str) -> TableStats | None:
        return self.sizes.get(name)

    def column_type(self, table: str, column: str) -> str | None:
        return None

    def volatility(self, function: str) -> str | None:
        return None

    def has_not_null_check(self, table: str, column: str) -> bool:
        return False


@pytest.mark.parametrize(("table", "severity"), [("users", "error"), ("settings", "info")])
def test_live_size_decides_the_severity(table: str, severity: str) -> None:
    result = lint_upgrade(f'op.execute("UPDATE {table} SET a = 1")', live=_Live())
    (finding,) = result.findings
    assert finding.severity == severity
    assert finding.estimate is not None
