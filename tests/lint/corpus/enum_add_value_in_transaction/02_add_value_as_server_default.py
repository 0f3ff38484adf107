"""Default new tickets to triage priority

Revision ID: b8c4029228a0
Revises:
Create Date: 2026-11-04 10:38:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: enum-add-value-in-transaction

revision = "b8c4029228a0"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute(sa.text("ALTER TYPE ticket_priority ADD VALUE IF NOT EXISTS 'triage' BEFORE 'low'"))
    op.alter_column(
        "tickets",
        "priority",
        server_default="triage",
        existing_type=sa.Enum("low", "normal", "high", name="ticket_priority"),
        existing_nullable=False,
    )


def downgrade():
    op.alter_column(
        "tickets",
        "priority",
        server_default="normal",
        existing_type=sa.Enum("low", "normal", "high", name="ticket_priority"),
        existing_nullable=False,
    )
