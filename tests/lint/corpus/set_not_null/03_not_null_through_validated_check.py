"""Every order has a customer

Revision ID: c29208e3596e
Revises:
Create Date: 2026-07-11 06:54:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "c29208e3596e"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # PostgreSQL 12+ skips the SET NOT NULL scan when a validated CHECK (c IS NOT NULL) exists.
    with op.get_context().autocommit_block():
        op.create_check_constraint(
            "ck_orders_customer_id_nn",
            "orders",
            "customer_id IS NOT NULL",
            postgresql_not_valid=True,
        )
    op.execute("ALTER TABLE orders VALIDATE CONSTRAINT ck_orders_customer_id_nn")
    op.alter_column("orders", "customer_id", existing_type=sa.BigInteger(), nullable=False)
    op.drop_constraint("ck_orders_customer_id_nn", "orders", type_="check")


def downgrade():
    op.alter_column("orders", "customer_id", existing_type=sa.BigInteger(), nullable=True)
