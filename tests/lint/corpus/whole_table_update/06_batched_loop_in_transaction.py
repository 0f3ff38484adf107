"""Backfill products.search_name in batches

Revision ID: c8e0b0bb74d8
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: whole-table-update

# revision identifiers, used by Alembic.
revision = "c8e0b0bb74d8"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("products", sa.Column("search_name", sa.Text(), nullable=True))
    conn = op.get_bind()
    top = conn.execute(sa.text("SELECT coalesce(max(id), 0) FROM products")).scalar() or 0
    # Batches, but all inside the migration's transaction: they commit together.
    for lo in range(0, top + 1, 5000):
        conn.execute(
            sa.text(
                "UPDATE products SET search_name = lower(name) "
                "WHERE id BETWEEN :lo AND :hi"
            ),
            {"lo": lo, "hi": lo + 4999},
        )


def downgrade():
    op.drop_column("products", "search_name")
