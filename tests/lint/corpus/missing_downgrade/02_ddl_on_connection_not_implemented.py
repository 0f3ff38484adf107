"""Add shipping region to orders

Revision ID: 715fec407d42
Revises:
Create Date: 2026-11-10 10:29:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: missing-downgrade, ddl-in-connection-execute

revision = "715fec407d42"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.get_bind().execute(sa.text("ALTER TABLE orders ADD COLUMN shipping_region text"))


def downgrade():
    raise NotImplementedError("one-way migration")
