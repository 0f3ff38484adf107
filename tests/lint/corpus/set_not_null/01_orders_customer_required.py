"""Every order has a customer

Revision ID: 8216b969b6f8
Revises:
Create Date: 2026-09-05 08:32:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: set-not-null

# revision identifiers, used by Alembic.
revision = "8216b969b6f8"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column(
        "orders",
        "customer_id",
        existing_type=sa.BigInteger(),
        nullable=False,
    )


def downgrade():
    op.alter_column("orders", "customer_id", existing_type=sa.BigInteger(), nullable=True)
