"""Add comment column to invoices

Revision ID: 875c8a2c93a3
Revises:
Create Date: 2026-11-22 10:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: timeout-override

revision = "875c8a2c93a3"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("RESET lock_timeout")
    op.add_column("invoices", sa.Column("comment", sa.Text(), nullable=True))


def downgrade():
    op.drop_column("invoices", "comment")
