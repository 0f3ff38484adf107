"""Orders belong to a region

Revision ID: 85b6ce743888
Revises:
Create Date: 2026-05-01 16:04:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "85b6ce743888"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # A constant default fills existing rows from the catalog (PostgreSQL 11+): no rewrite,
    # and NOT NULL holds at once.
    op.add_column(
        "orders",
        sa.Column("region", sa.String(length=8), nullable=False, server_default="eu"),
    )


def downgrade():
    op.drop_column("orders", "region")
