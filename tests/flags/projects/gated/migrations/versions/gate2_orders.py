"""create the orders table

Revision ID: gate2
Revises: gate1
"""

import sqlalchemy as sa
from alembic import op

revision = "gate2"
down_revision = "gate1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("orders", sa.Column("id", sa.Integer, primary_key=True))


def downgrade() -> None:
    op.drop_table("orders")
