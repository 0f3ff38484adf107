"""Reset staging rows

Revision ID: 945078d520f1
Revises:
Create Date: 2026-11-02 10:18:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: sequence-reset, truncate-table

revision = "945078d520f1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("TRUNCATE staging_rows RESTART IDENTITY")


def downgrade():
    op.execute("SELECT 1")
