"""Add refunded payment state

Revision ID: ef863f26ab8c
Revises:
Create Date: 2026-11-20 10:26:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

revision = "ef863f26ab8c"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TYPE payment_state ADD VALUE IF NOT EXISTS 'refunded'")
    op.add_column("payments", sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column("payments", "refunded_at")
