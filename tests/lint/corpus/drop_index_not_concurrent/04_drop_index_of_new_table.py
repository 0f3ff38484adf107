"""Create coupons and settle its indexes

Revision ID: 346bbfdacbb7
Revises:
Create Date: 2026-04-20 15:39:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "346bbfdacbb7"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "coupons",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(length=32), nullable=False),
    )
    op.create_index("ix_coupons_code", "coupons", ["code"])
    # The index and its table were created above; replace it by a unique one.
    op.drop_index("ix_coupons_code", table_name="coupons")
    op.create_index("uq_coupons_code", "coupons", ["code"], unique=True)


def downgrade():
    op.drop_table("coupons")
