"""Rename status type to order_status

Revision ID: 062c89985697
Revises:
Create Date: 2026-11-20 10:34:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

revision = "062c89985697"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TYPE status RENAME TO order_status")


def downgrade():
    op.execute("ALTER TYPE order_status RENAME TO status")
