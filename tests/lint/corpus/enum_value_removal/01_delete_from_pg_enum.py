"""Remove legacy order status

Revision ID: 8dd12db6b0e3
Revises:
Create Date: 2026-11-23 10:26:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: enum-value-removal

revision = "8dd12db6b0e3"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "DELETE FROM pg_enum WHERE enumlabel = 'legacy' "
        "AND enumtypid = 'order_status'::regtype"
    )


def downgrade():
    op.execute("ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'legacy'")
