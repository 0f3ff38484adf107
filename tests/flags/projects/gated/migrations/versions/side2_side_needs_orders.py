"""a side revision that depends on orders

Revision ID: side2
Revises: side1
"""

import sqlalchemy as sa
from alembic import op

revision = "side2"
down_revision = "side1"
branch_labels = None
depends_on = "gate2"


def upgrade() -> None:
    op.add_column("side", sa.Column("order_id", sa.Integer))


def downgrade() -> None:
    op.drop_column("side", "order_id")
