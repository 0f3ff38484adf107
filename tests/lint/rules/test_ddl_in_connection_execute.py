"""ddl-in-connection-execute: schema changes on the connection instead of an operation."""

from __future__ import annotations

from pathlib import Path

import pytest

from migsafe.lint.rules import RULES
from tests.lint.support import CORPUS, expected, lint_source, lint_upgrade, rule_ids

RULE = "ddl-in-connection-execute"


def hits(body: str) -> list[str]:
    return [f.message for f in lint_upgrade(body).findings if f.rule == RULE]


@pytest.mark.parametrize(
    "call",
    [
        'op.get_bind().execute(sa.text("ALTER TABLE orders ADD COLUMN note text"))',
        'op.get_bind().exec_driver_sql("CREATE INDEX ix_orders_note ON orders (note)")',
        'op.get_bind().execute(sa.text("DROP TABLE legacy_orders"))',
        "op.get_bind().execute(sa.text(\"COMMENT ON TABLE orders IS 'orders'\"))",
        'op.get_bind().execute(sa.text("GRANT SELECT ON orders TO reporting"))',
        'op.get_bind().execute(sa.text("CREATE TABLE orders_copy AS SELECT * FROM orders"))',
    ],
)
def test_ddl_on_the_connection_is_flagged(call: str) -> None:
    assert len(hits(call)) == 1


def test_connection_from_a_variable_is_flagged() -> None:
    assert hits(
        """
        conn = op.get_bind()
        conn.execute(sa.text("ALTER TABLE orders RENAME COLUMN note TO remark"))
        """
    )


@pytest.mark.parametrize(
    "call",
    [
        "op.get_bind().execute(sa.text(\"UPDATE orders SET state = 'new' WHERE state IS NULL\"))",
        'op.get_bind().execute(sa.text("DELETE FROM sessions WHERE expired"))',
        'op.get_bind().execute(sa.text("SELECT count(*) FROM orders"))',
        "op.get_bind().exec_driver_sql(\"SET LOCAL lock_timeout = '2s'\")",
        "op.get_bind().execute(sa.text(\"CREATE TYPE mood AS ENUM ('sad', 'ok')\"))",
        'op.execute("ALTER TABLE orders ADD COLUMN note text")',
        'op.execute(sa.text("CREATE INDEX ix_orders_note ON orders (note)"))',
    ],
)
def test_data_reads_session_and_op_execute_are_not_flagged(call: str) -> None:
    assert not hits(call)


def test_sa_enum_create_on_the_bind_is_not_flagged() -> None:
    result = lint_upgrade(
        """
        from sqlalchemy.dialects import postgresql
        postgresql.ENUM("sad", "ok", name="mood").create(op.get_bind(), checkfirst=True)
        op.add_column("person", sa.Column("mood", postgresql.ENUM(name="mood", create_type=False)))
        """
    )
    assert RULE not in rule_ids(result)
    assert not result.notes  # the render went on past the DDL SQLAlchemy ran on the bind


def test_metadata_create_all_on_the_bind_is_flagged() -> None:
    found = hits(
        """
        meta = sa.MetaData()
        sa.Table("audit", meta, sa.Column("id", sa.Integer, primary_key=True))
        meta.create_all(op.get_bind())
        """
    )
    assert len(found) == 1 and "CREATE TABLE audit" in found[0]


def test_enum_drop_on_the_bind_is_flagged() -> None:
    assert hits('sa.Enum(name="mood").drop(op.get_bind())')


@pytest.mark.parametrize(
    "path", sorted((CORPUS / "ddl_in_connection_execute").glob("*.py")), ids=lambda p: p.name
)
def test_corpus(path: Path) -> None:
    assert rule_ids(lint_source(path.read_text())) == expected(path) & set(RULES)
