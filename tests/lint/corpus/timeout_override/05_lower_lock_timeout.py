"""Add priority to jobs with a short lock wait

Revision ID: d899f4a2122b
Revises:
Create Date: 2026-11-22 10:43:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

revision = "d899f4a2122b"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET LOCAL lock_timeout = '2s'")
    op.add_column("jobs", sa.Column("priority", sa.SmallInteger(), nullable=True))


def downgrade():
    op.drop_column("jobs", "priority")
