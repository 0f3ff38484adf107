"""Seed the team and enterprise plans

Revision ID: 6a8c0e2b4d57
Revises: 1b3d5f7a9c02
Create Date: 2023-01-23 10:10:52.487309

"""

import sqlalchemy as sa
from alembic import op

# expect: none

revision = "6a8c0e2b4d57"
down_revision = None
branch_labels = None
depends_on = None

plan = sa.table(
    "plan",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("monthly_price_cents", sa.Integer),
)


def upgrade():
    op.bulk_insert(
        plan,
        [
            {"id": 3, "code": "team", "name": "Team", "monthly_price_cents": 4900},
            {"id": 4, "code": "enterprise", "name": "Enterprise", "monthly_price_cents": 49900},
        ],
    )
    op.execute("SELECT setval('plan_id_seq', (SELECT coalesce(max(id), 1) FROM plan))")


def downgrade():
    op.execute("DELETE FROM plan WHERE code IN ('team', 'enterprise')")
