"""Make order.customer_id NOT NULL without a long lock

Revision ID: 2b6e9d1f4a38
Revises: f05c7a3e8b12
Create Date: 2024-03-28 18:02:46.931570

"""

import sqlalchemy as sa
from alembic import op

# expect: none

revision = "2b6e9d1f4a38"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute(
            'ALTER TABLE "order" ADD CONSTRAINT ck_order_customer_id_nn '
            "CHECK (customer_id IS NOT NULL) NOT VALID"
        )
        op.execute('ALTER TABLE "order" VALIDATE CONSTRAINT ck_order_customer_id_nn')
    op.alter_column("order", "customer_id", existing_type=sa.BigInteger(), nullable=False)
    op.drop_constraint("ck_order_customer_id_nn", "order", type_="check")


def downgrade():
    op.alter_column("order", "customer_id", existing_type=sa.BigInteger(), nullable=True)
