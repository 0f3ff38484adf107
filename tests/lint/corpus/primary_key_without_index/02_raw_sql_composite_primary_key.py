"""Key memberships by user and group

Revision ID: ac960e439eef
Revises:
Create Date: 2026-12-04 23:35:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: primary-key-without-index

# revision identifiers, used by Alembic.
revision = "ac960e439eef"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE memberships DROP CONSTRAINT IF EXISTS memberships_id_key")
    op.execute("ALTER TABLE memberships ADD PRIMARY KEY (user_id, group_id)")


def downgrade():
    op.execute("ALTER TABLE memberships DROP CONSTRAINT memberships_pkey")
