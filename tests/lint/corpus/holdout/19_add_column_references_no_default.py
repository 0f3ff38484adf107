"""Add subscription.coupon_id

Revision ID: 3e7c9a1b5d06
Revises: b8d0f2a4c6e1
Create Date: 2024-07-09 14:40:22.093317

"""

from alembic import op

# expect: none

revision = "3e7c9a1b5d06"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # no DEFAULT: every row is NULL, PostgreSQL marks the constraint valid without a scan
    op.execute(
        "ALTER TABLE subscription ADD COLUMN coupon_id bigint "
        "CONSTRAINT subscription_coupon_id_fkey REFERENCES coupon (id) ON DELETE SET NULL"
    )


def downgrade():
    op.execute("ALTER TABLE subscription DROP COLUMN coupon_id")
