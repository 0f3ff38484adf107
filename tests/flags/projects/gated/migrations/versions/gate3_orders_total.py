"""add orders.total

Revision ID: gate3
Revises: gate2
"""

import sqlalchemy as sa
from alembic import op

revision = "gate3"
down_revision = "gate2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("orders", sa.Column("total", sa.Integer))


def downgrade() -> None:
    op.drop_column("orders", "total")
