"""Orders belong to a region

Revision ID: 5f3c7a728af8
Revises:
Create Date: 2026-01-13 00:12:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: add-required-column

# revision identifiers, used by Alembic.
revision = "5f3c7a728af8"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("orders", sa.Column("region", sa.String(length=8), nullable=False))


def downgrade():
    op.drop_column("orders", "region")
