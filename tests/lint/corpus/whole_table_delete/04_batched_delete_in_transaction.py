"""Purge soft-deleted comments in batches

Revision ID: 66f4ba03e9f3
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: whole-table-delete

# revision identifiers, used by Alembic.
revision = "66f4ba03e9f3"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    # LIMITed batches, but no commit between them: one transaction holds every deleted row.
    while True:
        result = conn.execute(
            sa.text(
                "DELETE FROM comments WHERE id IN "
                "(SELECT id FROM comments WHERE deleted_at IS NOT NULL LIMIT 5000)"
            )
        )
        if not result.rowcount:
            break


def downgrade():
    op.execute("SELECT 1")  # purged comments cannot be restored
