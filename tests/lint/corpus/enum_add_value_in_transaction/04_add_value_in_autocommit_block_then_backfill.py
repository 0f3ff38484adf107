"""Add archived order status (committed first)

Revision ID: 32d7b30fd4ae
Revises:
Create Date: 2026-11-20 10:43:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

revision = "32d7b30fd4ae"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute("ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'archived'")
    op.execute(
        "UPDATE orders SET status = 'archived' "
        "WHERE status = 'closed' AND closed_at < now() - interval '1 year'"
    )


def downgrade():
    op.execute("UPDATE orders SET status = 'closed' WHERE status = 'archived'")
