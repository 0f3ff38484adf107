"""Spell canceled the American way

Revision ID: 409d4ffa4eb6
Revises:
Create Date: 2026-11-02 10:31:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

revision = "409d4ffa4eb6"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TYPE order_status RENAME VALUE 'cancelled' TO 'canceled'")
    op.execute("ALTER TABLE refunds ALTER COLUMN reason_status SET DEFAULT 'canceled'")


def downgrade():
    op.execute("ALTER TABLE refunds ALTER COLUMN reason_status DROP DEFAULT")
    op.execute("ALTER TYPE order_status RENAME VALUE 'canceled' TO 'cancelled'")
