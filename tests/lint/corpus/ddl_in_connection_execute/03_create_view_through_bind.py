"""Add active customers view

Revision ID: 3c17ec296fc3
Revises:
Create Date: 2026-11-01 10:25:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: ddl-in-connection-execute

revision = "3c17ec296fc3"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "CREATE VIEW active_customers AS "
            "SELECT id, email FROM customers WHERE deleted_at IS NULL"
        )
    )


def downgrade():
    op.execute("DROP VIEW active_customers")
