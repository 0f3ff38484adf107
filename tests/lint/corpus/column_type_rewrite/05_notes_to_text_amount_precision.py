"""Unlimited notes, bigger amounts

Revision ID: 13674d598c43
Revises:
Create Date: 2026-04-24 03:15:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "13674d598c43"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # varchar -> text is binary coercible; numeric(10,2) -> numeric(14,2) keeps the scale and
    # widens the precision: neither rewrites invoices.
    op.alter_column(
        "invoices",
        "notes",
        existing_type=sa.String(length=500),
        type_=sa.Text(),
        existing_nullable=True,
    )
    op.alter_column(
        "invoices",
        "amount",
        existing_type=sa.Numeric(precision=10, scale=2),
        type_=sa.Numeric(precision=14, scale=2),
        existing_nullable=False,
    )


def downgrade():
    op.alter_column(
        "invoices",
        "amount",
        existing_type=sa.Numeric(precision=14, scale=2),
        type_=sa.Numeric(precision=10, scale=2),
    )
    op.alter_column("invoices", "notes", existing_type=sa.Text(), type_=sa.String(length=500))
