"""Rename the users primary key

Revision ID: 8db4d71fac7d
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "8db4d71fac7d"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE users RENAME CONSTRAINT users_pkey TO pk_users")
    op.alter_column("users", "name", comment="what other users see", existing_type=sa.String(80))


def downgrade():
    op.alter_column("users", "name", comment=None, existing_type=sa.String(80))
    op.execute("ALTER TABLE users RENAME CONSTRAINT pk_users TO users_pkey")
