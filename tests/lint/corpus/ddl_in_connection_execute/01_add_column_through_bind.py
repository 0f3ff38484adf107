"""Add loyalty tier to customers

Revision ID: d2e780452d4c
Revises:
Create Date: 2026-11-27 10:29:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: ddl-in-connection-execute

revision = "d2e780452d4c"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    conn.execute(sa.text("ALTER TABLE customers ADD COLUMN loyalty_tier text"))


def downgrade():
    op.drop_column("customers", "loyalty_tier")
