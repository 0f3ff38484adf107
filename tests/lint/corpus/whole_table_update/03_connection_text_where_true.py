"""Normalise emails

Revision ID: 7d0ab2998f1d
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: whole-table-update

# revision identifiers, used by Alembic.
revision = "7d0ab2998f1d"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    conn.execute(sa.text("UPDATE users SET email = lower(email) WHERE true"))


def downgrade():
    # lower-casing cannot be undone; nothing to put back
    op.execute("SELECT 1")
