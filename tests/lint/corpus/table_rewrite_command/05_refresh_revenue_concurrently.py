"""Refresh daily revenue without blocking readers

Revision ID: 46e8dc7d3e74
Revises:
Create Date: 2026-01-13 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "46e8dc7d3e74"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # CONCURRENTLY keeps the view readable (needs its unique index); it cannot run in a
    # transaction block.
    with op.get_context().autocommit_block():
        op.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY daily_revenue")


def downgrade():
    with op.get_context().autocommit_block():
        op.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY daily_revenue")
