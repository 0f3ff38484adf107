"""Rename orders.amount to orders.total

Revision ID: 5cdf9d842162
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: rename-column

# revision identifiers, used by Alembic.
revision = "5cdf9d842162"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("orders") as batch_op:
        batch_op.alter_column("amount", new_column_name="total", existing_type=sa.Numeric(12, 2))


def downgrade():
    with op.batch_alter_table("orders") as batch_op:
        batch_op.alter_column("total", new_column_name="amount", existing_type=sa.Numeric(12, 2))
