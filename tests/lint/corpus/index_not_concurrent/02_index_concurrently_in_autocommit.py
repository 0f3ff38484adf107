"""Add index on orders.created_at

Revision ID: a8cad1f2f118
Revises:
Create Date: 2026-01-05 00:36:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "a8cad1f2f118"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_orders_created_at",
            "orders",
            ["created_at"],
            postgresql_concurrently=True,
        )


def downgrade():
    with op.get_context().autocommit_block():
        op.drop_index(
            "ix_orders_created_at", table_name="orders", postgresql_concurrently=True
        )
