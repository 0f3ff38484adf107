"""Add loyalty tier to customers (as an operation)

Revision ID: 4f5df04fd470
Revises:
Create Date: 2026-11-18 10:47:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

revision = "4f5df04fd470"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute(sa.text("ALTER TABLE customers ADD COLUMN loyalty_tier text"))
    op.execute("COMMENT ON COLUMN customers.loyalty_tier IS 'bronze, silver or gold'")


def downgrade():
    op.drop_column("customers", "loyalty_tier")
