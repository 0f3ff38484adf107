"""Backfill event.group_hash in batches

Revision ID: 4a6c8e0b2d57
Revises: 7f9b1d3e5a80
Create Date: 2023-09-21 22:03:16.558123

"""

import sqlalchemy as sa
from alembic import op

# expect: whole-table-update

revision = "4a6c8e0b2d57"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    top = conn.execute(sa.text("SELECT max(id) FROM event")).scalar() or 0
    for lo in range(0, top + 1, 50_000):
        conn.execute(
            sa.text(
                "UPDATE event SET group_hash = md5(fingerprint) "
                "WHERE id BETWEEN :lo AND :hi AND group_hash IS NULL"
            ),
            {"lo": lo, "hi": lo + 49_999},
        )


def downgrade():
    op.execute("UPDATE event SET group_hash = NULL WHERE group_hash = md5(fingerprint)")
