"""Backfill order totals

Revision ID: 4b9c5ad33126
Revises:
Create Date: 2026-11-11 10:21:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: timeout-override

revision = "4b9c5ad33126"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET statement_timeout = 0")
    op.execute(
        "UPDATE orders SET total_cents = (total * 100)::bigint WHERE total_cents IS NULL"
    )


def downgrade():
    op.execute("UPDATE orders SET total_cents = NULL")
