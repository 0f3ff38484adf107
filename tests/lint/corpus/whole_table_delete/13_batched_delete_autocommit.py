"""Purge old audit rows, committing each batch

Revision ID: 87ae157bc74c
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "87ae157bc74c"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    with op.get_context().autocommit_block():
        while conn.execute(
            sa.text(
                "DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events "
                "WHERE created_at < now() - interval '2 years' LIMIT 5000)"
            )
        ).rowcount:
            pass


def downgrade():
    op.execute("SELECT 1")  # purged audit rows are archived elsewhere
