"""Rename an index and a sequence

Revision ID: 8e4e8dfff808
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "8e4e8dfff808"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER INDEX ix_orders_created RENAME TO ix_orders_created_at")
    op.execute("ALTER SEQUENCE order_no_seq RENAME TO order_number_seq")


def downgrade():
    op.execute("ALTER SEQUENCE order_number_seq RENAME TO order_no_seq")
    op.execute("ALTER INDEX ix_orders_created_at RENAME TO ix_orders_created")
