"""Create audit table and seed it

Revision ID: 0c759d35f5a3
Revises:
Create Date: 2026-11-18 10:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

revision = "0c759d35f5a3"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("event", sa.Text, nullable=False),
    )
    op.execute("LOCK TABLE audit_log IN EXCLUSIVE MODE")
    op.execute("INSERT INTO audit_log (id, event) VALUES (1, 'created')")


def downgrade():
    op.drop_table("audit_log")
