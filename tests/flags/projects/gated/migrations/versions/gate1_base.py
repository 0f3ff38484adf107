"""create the base table

Revision ID: gate1
Revises: (none)
"""

import sqlalchemy as sa
from alembic import op

revision = "gate1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("base", sa.Column("id", sa.Integer, primary_key=True))


def downgrade() -> None:
    op.drop_table("base")
