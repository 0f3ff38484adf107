"""Backfill account currency under a lock

Revision ID: 8eb24be2fcd9
Revises:
Create Date: 2026-11-24 10:38:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: lock-table

revision = "8eb24be2fcd9"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("LOCK TABLE accounts IN SHARE ROW EXCLUSIVE MODE")
    op.execute("UPDATE accounts SET currency = 'EUR' WHERE currency IS NULL AND country = 'DE'")


def downgrade():
    op.execute("UPDATE accounts SET currency = NULL WHERE currency = 'EUR' AND country = 'DE'")
