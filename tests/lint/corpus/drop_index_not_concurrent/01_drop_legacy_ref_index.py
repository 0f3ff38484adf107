"""Drop the unused legacy_ref index

Revision ID: 4da383e8dfbd
Revises:
Create Date: 2026-02-26 13:25:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: drop-index-not-concurrent

# revision identifiers, used by Alembic.
revision = "4da383e8dfbd"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_orders_legacy_ref", table_name="orders")


def downgrade():
    op.create_index("ix_orders_legacy_ref", "orders", ["legacy_ref"])
