"""Rename customers to clients

Revision ID: 6a1178b5037c
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: rename-table

# revision identifiers, used by Alembic.
revision = "6a1178b5037c"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.rename_table("customers", "clients")


def downgrade():
    op.rename_table("clients", "customers")
