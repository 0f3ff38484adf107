"""Discounts are percentages

Revision ID: b07aa88db481
Revises:
Create Date: 2026-02-26 01:01:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: check-not-valid

# revision identifiers, used by Alembic.
revision = "b07aa88db481"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "ALTER TABLE coupons ADD CONSTRAINT ck_coupons_percent "
        "CHECK (percent BETWEEN 0 AND 100)"
    )
    op.execute("ALTER TABLE coupons ADD COLUMN max_uses integer CHECK (max_uses > 0)")


def downgrade():
    op.execute("ALTER TABLE coupons DROP COLUMN max_uses")
    op.execute("ALTER TABLE coupons DROP CONSTRAINT ck_coupons_percent")
