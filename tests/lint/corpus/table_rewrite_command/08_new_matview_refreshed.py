"""Add the weekly signups view

Revision ID: fc1ba7dee501
Revises:
Create Date: 2026-02-06 01:13:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "fc1ba7dee501"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "CREATE MATERIALIZED VIEW weekly_signups AS "
        "SELECT date_trunc('week', created_at) AS week, count(*) AS n FROM users GROUP BY 1 "
        "WITH NO DATA"
    )
    # The view was created just above: nobody reads it yet.
    op.execute("REFRESH MATERIALIZED VIEW weekly_signups")


def downgrade():
    op.execute("DROP MATERIALIZED VIEW weekly_signups")
