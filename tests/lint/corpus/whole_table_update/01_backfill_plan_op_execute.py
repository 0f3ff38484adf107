"""Backfill accounts.plan

Revision ID: e68bbc55233b
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: whole-table-update

# revision identifiers, used by Alembic.
revision = "e68bbc55233b"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("accounts", sa.Column("plan", sa.String(length=20), nullable=True))
    op.execute("UPDATE accounts SET plan = 'free'")


def downgrade():
    op.drop_column("accounts", "plan")
