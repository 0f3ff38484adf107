"""Recompute daily revenue after the currency fix

Revision ID: 40c0609a3db3
Revises:
Create Date: 2026-12-16 11:11:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: table-rewrite-command

# revision identifiers, used by Alembic.
revision = "40c0609a3db3"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "UPDATE payments SET currency = 'EUR' WHERE currency = 'eur' AND created_at >= '2026-01-01'"
    )
    op.execute("REFRESH MATERIALIZED VIEW daily_revenue")


def downgrade():
    op.execute(
        "UPDATE payments SET currency = 'eur' WHERE currency = 'EUR' AND created_at >= '2026-01-01'"
    )
