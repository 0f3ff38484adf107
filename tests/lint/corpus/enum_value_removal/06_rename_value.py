"""Rename on_hold ticket state to waiting

Revision ID: a1d38de03352
Revises:
Create Date: 2026-11-16 10:38:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

revision = "a1d38de03352"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TYPE ticket_state RENAME VALUE 'on_hold' TO 'waiting'")


def downgrade():
    op.execute("ALTER TYPE ticket_state RENAME VALUE 'waiting' TO 'on_hold'")
