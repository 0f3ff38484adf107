"""Refresh planner statistics after the backfill

Revision ID: 25ce7bf8b0b2
Revises:
Create Date: 2026-03-27 02:38:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "25ce7bf8b0b2"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # Plain VACUUM / ANALYZE take SHARE UPDATE EXCLUSIVE: reads and writes go on.
    with op.get_context().autocommit_block():
        op.execute("VACUUM (ANALYZE) orders")
        op.execute("ANALYZE order_lines")


def downgrade():
    with op.get_context().autocommit_block():
        op.execute("ANALYZE orders")
