"""row-by-row-data-migration: a Python loop over rows read from the database that writes one
row per round trip; loops over literals, or that only read, are not."""

from __future__ import annotations

import pytest

from tests.lint.support import lint_source, lint_upgrade, rule_ids

RULE = "row-by-row-data-migration"

FLAGGED = {
    "connection-rows": """
        conn = op.get_bind()
        for row in conn.execute(sa.text("SELECT id, name FROM users")):
            conn.execute(
                sa.text("UPDATE users SET slug = :s WHERE id = :id"),
                {"s": row.name.lower(), "id": row.id},
            )
    """,
    "fetchall": """
        conn = op.get_bind()
        rows = conn.execute(sa.text("SELECT id FROM users"))
        for row in rows.fetchall():
            op.execute(sa.text("UPDATE users SET n = 1 WHERE id = :id").bindparams(id=row.id))
    """,
    "rows-assigned-before-the-loop": """
        conn = op.get_bind()
        rows = conn.execute(sa.text("SELECT id FROM users")).fetchall()
        for row in rows:
            conn.execute(sa.text("UPDATE users SET n = 1 WHERE id = :id"), {"id": row.id})
    """,
}

NOT_FLAGGED = {
    "literal-list": """
        for name in ["a", "b"]:
            op.add_column("users", sa.Column(name, sa.String(), nullable=True))
    """,
    "literal-updates": """
        for old, new in (("x", "y"), ("p", "q")):
            op.execute(sa.text("UPDATE users SET kind = :n WHERE kind = :o")
                       .bindparams(n=new, o=old))
    """,
    "loop-only-reads": """
        conn = op.get_bind()
        names = []
        for row in conn.execute(sa.text("SELECT name FROM users")):
            names.append(row.name)
    """,
    "list-assigned-before-the-loop": """
        names = ["a", "b"]
        for name in names:
            op.add_column("users", sa.Column(name, sa.String(), nullable=True))
    """,
    "set-based": 'op.execute("UPDATE users SET slug = lower(name) WHERE slug IS NULL")',
}


@pytest.mark.parametrize("body", FLAGGED.values(), ids=FLAGGED.keys())
def test_flagged(body: str) -> None:
    assert RULE in rule_ids(lint_upgrade(body))


@pytest.mark.parametrize("body", NOT_FLAGGED.values(), ids=NOT_FLAGGED.keys())
def test_not_flagged(body: str) -> None:
    assert RULE not in rule_ids(lint_upgrade(body))


@pytest.mark.parametrize("case", ["connection-rows", "rows-assigned-before-the-loop"])
def test_the_table_read_is_the_table_of_the_finding(case: str) -> None:
    result = lint_upgrade(FLAGGED[case])
    (finding,) = [f for f in result.findings if f.rule == RULE]
    assert finding.table == "users"
    assert finding.severity == "warning"


def test_a_loop_over_a_table_created_in_the_run_still_writes_per_row() -> None:
    body = """
        op.create_table("tmp_map", sa.Column("id", sa.Integer), sa.Column("v", sa.String))
        conn = op.get_bind()
        for row in conn.execute(sa.text("SELECT id, v FROM tmp_map")):
            conn.execute(sa.text("UPDATE users SET v = :v WHERE id = :id"), dict(row._mapping))
    """
    assert RULE in rule_ids(lint_upgrade(body))


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
    name = sa.Column(sa.String)
    slug = sa.Column(sa.String)


def upgrade():
    session = orm.Session(bind=op.get_bind())
    for user in session.query(User).all():
        user.slug = user.name.lower()
    session.commit()


def downgrade():
    op.execute("SELECT 1")
'''


def test_orm_loop_assigning_attributes() -> None:
    (finding,) = [f for f in lint_source(ORM).findings if f.rule == RULE]
    assert finding.table == "users"
