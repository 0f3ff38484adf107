"""Backfill job priorities within fifteen minutes

Revision ID: f29c03b5858e
Revises:
Create Date: 2026-11-02 10:46:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

revision = "f29c03b5858e"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET LOCAL statement_timeout = '15min'")
    op.execute("UPDATE jobs SET priority = 5 WHERE priority IS NULL AND queue = 'bulk'")


def downgrade():
    op.execute("UPDATE jobs SET priority = NULL WHERE queue = 'bulk'")
