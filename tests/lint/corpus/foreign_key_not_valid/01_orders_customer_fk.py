"""Enforce orders.customer_id references customers

Revision ID: 80e47c326176
Revises:
Create Date: 2026-11-23 22:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: foreign-key-not-valid

# revision identifiers, used by Alembic.
revision = "80e47c326176"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_foreign_key(
        "fk_orders_customer_id",
        "orders",
        "customers",
        ["customer_id"],
        ["id"],
        ondelete="RESTRICT",
    )


def downgrade():
    op.drop_constraint("fk_orders_customer_id", "orders", type_="foreignkey")
