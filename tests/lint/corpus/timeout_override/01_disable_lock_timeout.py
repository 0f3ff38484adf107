"""Add archived flag to orders

Revision ID: aab8f83224b3
Revises:
Create Date: 2026-11-24 10:27:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: timeout-override

revision = "aab8f83224b3"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET lock_timeout = 0")
    op.add_column("orders", sa.Column("archived", sa.Boolean(), nullable=True))


def downgrade():
    op.drop_column("orders", "archived")
