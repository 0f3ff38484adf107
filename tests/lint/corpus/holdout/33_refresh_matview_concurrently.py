"""Refresh daily_revenue after the currency fix

Revision ID: 4c6e8a0b2d91
Revises: 7e9a1c3b5d28
Create Date: 2024-11-06 05:44:09.318872

"""

from alembic import op

# expect: none

revision = "4c6e8a0b2d91"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY daily_revenue")
        op.execute("VACUUM (ANALYZE) invoice")


def downgrade():
    with op.get_context().autocommit_block():
        op.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY daily_revenue")
