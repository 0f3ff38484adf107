"""Rename events.ts to events.occurred_at

Revision ID: 1362be39a185
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: rename-column

# revision identifiers, used by Alembic.
revision = "1362be39a185"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE events RENAME COLUMN ts TO occurred_at")


def downgrade():
    op.execute("ALTER TABLE events RENAME COLUMN occurred_at TO ts")
