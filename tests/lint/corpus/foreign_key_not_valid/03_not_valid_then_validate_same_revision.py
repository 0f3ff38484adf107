"""Enforce order_lines.product_id

Revision ID: f1665ae0d0a6
Revises:
Create Date: 2026-03-19 14:26:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: foreign-key-not-valid

# revision identifiers, used by Alembic.
revision = "f1665ae0d0a6"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_foreign_key(
        "fk_order_lines_product_id",
        "order_lines",
        "products",
        ["product_id"],
        ["id"],
        postgresql_not_valid=True,
    )
    # Same transaction as the ADD: its SHARE ROW EXCLUSIVE is still held during this scan.
    op.execute("ALTER TABLE order_lines VALIDATE CONSTRAINT fk_order_lines_product_id")


def downgrade():
    op.drop_constraint("fk_order_lines_product_id", "order_lines", type_="foreignkey")
