"""Log everyone out: purge user_sessions

Revision ID: b0726ff9e5ea
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: whole-table-delete

# revision identifiers, used by Alembic.
revision = "b0726ff9e5ea"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM user_sessions")


def downgrade():
    op.execute("SELECT 1")  # deleted sessions are gone; users log in again
