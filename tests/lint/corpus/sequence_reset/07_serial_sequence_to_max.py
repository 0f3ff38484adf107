"""Catch the refunds sequence up after a manual fix

Revision ID: 73a9c51c1f1d
Revises:
Create Date: 2026-11-26 10:48:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

revision = "73a9c51c1f1d"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "SELECT setval(pg_get_serial_sequence('refunds', 'id'), coalesce(max(id), 1)) "
        "FROM refunds"
    )


def downgrade():
    pass  # the sequence only moved forward, to what is in use
