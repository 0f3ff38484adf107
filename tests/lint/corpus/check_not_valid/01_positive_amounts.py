"""Payments must have a positive amount

Revision ID: 2e5a18d3de73
Revises:
Create Date: 2026-04-12 03:03:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: check-not-valid

# revision identifiers, used by Alembic.
revision = "2e5a18d3de73"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_check_constraint("ck_payments_amount_positive", "payments", "amount > 0")


def downgrade():
    op.drop_constraint("ck_payments_amount_positive", "payments", type_="check")
