"""Drop the unused legacy_ref index

Revision ID: 95ed1cc17068
Revises:
Create Date: 2026-05-01 16:28:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "95ed1cc17068"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.drop_index(
            "ix_orders_legacy_ref",
            table_name="orders",
            postgresql_concurrently=True,
            if_exists=True,
        )


def downgrade():
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_orders_legacy_ref", "orders", ["legacy_ref"], postgresql_concurrently=True
        )
