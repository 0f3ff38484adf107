"""Create the refunds table

Revision ID: c6ae1e2abdc0
Revises:
Create Date: 2026-01-13 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "c6ae1e2abdc0"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "refunds",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("payment_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_refunds_payment_id", "refunds", ["payment_id"])
    op.execute("CREATE INDEX ix_refunds_created_at ON refunds (created_at)")


def downgrade():
    op.drop_table("refunds")
