"""Add note to orders

Revision ID: f9dd8e85cd69
Revises:
Create Date: 2026-11-05 10:18:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: lock-table

revision = "f9dd8e85cd69"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("LOCK TABLE orders")
    op.add_column("orders", sa.Column("note", sa.Text(), nullable=True))


def downgrade():
    op.drop_column("orders", "note")
