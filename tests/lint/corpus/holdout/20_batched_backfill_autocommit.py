"""Add order.total_cents and backfill it in batches

Revision ID: 9d1f3b5a7c24
Revises: 0a2c4e6f8b13
Create Date: 2024-08-12 06:58:41.372905

"""

import sqlalchemy as sa
from alembic import op

# expect: none

revision = "9d1f3b5a7c24"
down_revision = None
branch_labels = None
depends_on = None

BATCH = 10_000


def upgrade():
    op.add_column("order", sa.Column("total_cents", sa.BigInteger(), nullable=True))
    conn = op.get_bind()
    with op.get_context().autocommit_block():
        top = conn.execute(sa.text('SELECT max(id) FROM "order"')).scalar() or 0
        for lo in range(0, top + 1, BATCH):
            conn.execute(
                sa.text(
                    'UPDATE "order" SET total_cents = round(total * 100) '
                    "WHERE id >= :lo AND id < :hi AND total_cents IS NULL"
                ),
                {"lo": lo, "hi": lo + BATCH},
            )


def downgrade():
    op.drop_column("order", "total_cents")
