"""Backfill orders.total_cents in committed batches

Revision ID: 2290d6cdc88b
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "2290d6cdc88b"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("orders", sa.Column("total_cents", sa.BigInteger(), nullable=True))
    conn = op.get_bind()
    # Each batch commits on its own: row locks last one batch, and a re-run resumes.
    with op.get_context().autocommit_block():
        top = conn.execute(sa.text("SELECT coalesce(max(id), 0) FROM orders")).scalar() or 0
        for lo in range(0, top + 1, 10000):
            conn.execute(
                sa.text(
                    "UPDATE orders SET total_cents = round(total * 100) "
                    "WHERE id >= :lo AND id < :hi AND total_cents IS NULL"
                ),
                {"lo": lo, "hi": lo + 10000},
            )


def downgrade():
    op.drop_column("orders", "total_cents")
