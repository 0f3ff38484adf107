"""Add index on orders.created_at

Revision ID: 150ab23c30d6
Revises:
Create Date: 2026-07-03 06:06:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: index-not-concurrent

# revision identifiers, used by Alembic.
revision = "150ab23c30d6"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_orders_created_at", "orders", ["created_at"])


def downgrade():
    op.drop_index("ix_orders_created_at", table_name="orders")
