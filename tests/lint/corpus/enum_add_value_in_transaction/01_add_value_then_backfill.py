"""Add archived order status and archive old orders

Revision ID: 32e896c96496
Revises:
Create Date: 2026-11-27 10:48:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: enum-add-value-in-transaction

revision = "32e896c96496"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TYPE order_status ADD VALUE 'archived'")
    op.execute(
        "UPDATE orders SET status = 'archived' "
        "WHERE status = 'closed' AND closed_at < now() - interval '1 year'"
    )


def downgrade():
    op.execute("UPDATE orders SET status = 'closed' WHERE status = 'archived'")
