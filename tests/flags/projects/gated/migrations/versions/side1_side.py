"""a second branch

Revision ID: side1
Revises: gate1
"""

import sqlalchemy as sa
from alembic import op

revision = "side1"
down_revision = "gate1"
branch_labels = ("side",)
depends_on = None


def upgrade() -> None:
    op.create_table("side", sa.Column("id", sa.Integer, primary_key=True))


def downgrade() -> None:
    op.drop_table("side")
