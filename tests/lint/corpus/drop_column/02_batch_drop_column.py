"""Drop orders.coupon_code

Revision ID: 57250c794347
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: drop-column

# revision identifiers, used by Alembic.
revision = "57250c794347"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("coupon_code")


def downgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("coupon_code", sa.VARCHAR(length=32), nullable=True))
