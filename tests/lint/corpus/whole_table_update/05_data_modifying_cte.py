"""Archive and clear order notes

Revision ID: 53e633df6001
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: whole-table-update

# revision identifiers, used by Alembic.
revision = "53e633df6001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        """
        WITH cleared AS (
            UPDATE orders SET internal_note = NULL RETURNING id, internal_note
        )
        INSERT INTO order_notes_archive (order_id, note)
        SELECT id, internal_note FROM cleared
        """
    )


def downgrade():
    op.execute(
        "UPDATE orders SET internal_note = a.note FROM order_notes_archive a "
        "WHERE a.order_id = orders.id"
    )
