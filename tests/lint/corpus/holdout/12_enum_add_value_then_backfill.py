"""Add 'refunded' payment status and mark refunded payments

Revision ID: 6f3a8c0e2b51
Revises: d2b7e9a14c06
Create Date: 2024-05-13 12:30:55.118460

"""

from alembic import op

# expect: enum-add-value-in-transaction

revision = "6f3a8c0e2b51"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TYPE paymentstatus ADD VALUE 'refunded' AFTER 'succeeded'")
    op.execute(
        "UPDATE payment SET status = 'refunded' "
        "WHERE refunded_at IS NOT NULL AND status = 'succeeded'"
    )


def downgrade():
    op.execute("UPDATE payment SET status = 'succeeded' WHERE status = 'refunded'")
