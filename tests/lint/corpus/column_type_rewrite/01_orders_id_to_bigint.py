"""Widen orders.id to bigint before it runs out

Revision ID: e7485c295534
Revises:
Create Date: 2026-01-01 12:48:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: column-type-rewrite

# revision identifiers, used by Alembic.
revision = "e7485c295534"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column(
        "orders",
        "id",
        existing_type=sa.Integer(),
        type_=sa.BigInteger(),
        existing_nullable=False,
    )
    op.alter_column(
        "order_lines",
        "order_id",
        existing_type=sa.Integer(),
        type_=sa.BigInteger(),
        existing_nullable=False,
    )


def downgrade():
    op.alter_column("order_lines", "order_id", existing_type=sa.BigInteger(), type_=sa.Integer())
    op.alter_column("orders", "id", existing_type=sa.BigInteger(), type_=sa.Integer())
