"""whole-table-delete: a DELETE of every row of an existing table in the migration's
transaction; a DELETE with a WHERE, or of a table created in the run, is not."""

from __future__ import annotations

import pytest

from tests.lint.support import lint_source, lint_upgrade, rule_ids

RULE = "whole-table-delete"

FLAGGED = {
    "op-execute": 'op.execute("DELETE FROM sessions")',
    "where-true": 'op.execute("DELETE FROM sessions WHERE true")',
    "using-without-where": 'op.execute("DELETE FROM sessions USING users")',
    "cte": (
        'op.execute("WITH gone AS (DELETE FROM sessions RETURNING *) '
        'INSERT INTO sessions_archive SELECT * FROM gone")'
    ),
    "connection": 'op.get_bind().execute(sa.text("DELETE FROM sessions"))',
    "core-delete": """
        sessions = sa.table("sessions", sa.column("id", sa.Integer))
        op.get_bind().execute(sa.delete(sessions))
    """,
    "batches-in-transaction": """
        conn = op.get_bind()
        while conn.execute(sa.text(
            "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions LIMIT 1000)"
        )).rowcount:
            pass
    """,
}

NOT_FLAGGED = {
    "with-where": (
        "op.execute(\"DELETE FROM sessions WHERE expires_at < now() - interval '1 year'\")"
    ),
    "new-table": """
        op.create_table("staging", sa.Column("id", sa.Integer, primary_key=True))
        op.execute("DELETE FROM staging")
    """,
    "core-with-where": """
        sessions = sa.table("sessions", sa.column("id", sa.Integer))
        op.get_bind().execute(sa.delete(sessions).where(sessions.c.id < 100))
    """,
    "batches-in-autocommit": """
        conn = op.get_bind()
        with op.get_context().autocommit_block():
            while conn.execute(sa.text(
                "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions LIMIT 1000)"
            )).rowcount:
                pass
    """,
    "update-is-not-delete": 'op.execute("UPDATE sessions SET token = NULL WHERE id = 1")',
}


@pytest.mark.parametrize("body", FLAGGED.values(), ids=FLAGGED.keys())
def test_flagged(body: str) -> None:
    assert RULE in rule_ids(lint_upgrade(body))


@pytest.mark.parametrize("body", NOT_FLAGGED.values(), ids=NOT_FLAGGED.keys())
def test_not_flagged(body: str) -> None:
    assert RULE not in rule_ids(lint_upgrade(body))


def test_message_names_the_table() -> None:
    (finding,) = lint_upgrade('op.execute("DELETE FROM sessions")').findings
    assert finding.table == "sessions"
    assert "every row of sessions" in finding.message
    assert finding.severity == "warning"


ORM = '''\
"""orm"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session, declarative_base

revision = "r1"
down_revision = None
branch_labels = None
depends_on = None

Base = declarative_base()


class Token(Base):
    __tablename__ = "tokens"
    id = sa.Column(sa.Integer, primary_key=True)


def upgrade():
    session = Session(bind=op.get_bind())
    {call}


def downgrade():
    op.execute("SELECT 1")
'''


def test_orm_delete_without_filter() -> None:
    result = lint_source(ORM.format(call="session.query(Token).delete()"))
    (finding,) = [f for f in result.findings if f.rule == RULE]
    assert finding.table == "tokens"


def test_orm_delete_with_filter_by_is_not_flagged() -> None:
    call = "session.query(Token).filter_by(id=3).delete()"
    assert RULE not in rule_ids(lint_source(ORM.format(call=call)))


def test_orm_2_style_delete_after_the_render_stopped() -> None:
    call = "session.execute(sa.delete(Token))"
    result = lint_source(ORM.format(call=call))
    (finding,) = [f for f in result.findings if f.rule == RULE]
    assert finding.table == "tokens"


def test_orm_2_style_delete_with_where_is_not_flagged() -> None:
    call = "session.execute(sa.delete(Token).where(Token.id == 1))"
    assert RULE not in rule_ids(lint_source(ORM.format(call=call)))
