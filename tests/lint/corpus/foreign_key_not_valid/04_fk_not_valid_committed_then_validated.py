"""Enforce order_lines.product_id

Revision ID: e6285170c177
Revises:
Create Date: 2026-08-04 07:55:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "e6285170c177"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # NOT VALID checks only new rows; committed at once by the autocommit block, so its lock
    # is released before the validation scan, which takes SHARE UPDATE EXCLUSIVE.
    with op.get_context().autocommit_block():
        op.create_foreign_key(
            "fk_order_lines_product_id",
            "order_lines",
            "products",
            ["product_id"],
            ["id"],
            postgresql_not_valid=True,
        )
    op.execute("ALTER TABLE order_lines VALIDATE CONSTRAINT fk_order_lines_product_id")


def downgrade():
    op.drop_constraint("fk_order_lines_product_id", "order_lines", type_="foreignkey")
