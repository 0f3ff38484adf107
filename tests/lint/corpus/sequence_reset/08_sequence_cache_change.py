"""Cache order ids

Revision ID: 850d0bf35567
Revises:
Create Date: 2026-11-25 10:15:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

revision = "850d0bf35567"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER SEQUENCE orders_id_seq INCREMENT BY 1 CACHE 20")


def downgrade():
    op.execute("ALTER SEQUENCE orders_id_seq CACHE 1")
