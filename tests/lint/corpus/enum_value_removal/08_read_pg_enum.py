"""Add region value when missing

Revision ID: dedef0a451ef
Revises:
Create Date: 2026-11-16 10:29:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

revision = "dedef0a451ef"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    labels = conn.execute(
        sa.text("SELECT enumlabel FROM pg_enum WHERE enumtypid = 'region'::regtype")
    ).scalars().all()
    if "apac" not in labels:
        with op.get_context().autocommit_block():
            op.execute("ALTER TYPE region ADD VALUE 'apac'")


def downgrade():
    op.execute("UPDATE customers SET region = 'emea' WHERE region = 'apac'")
