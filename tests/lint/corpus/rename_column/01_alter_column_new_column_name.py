"""Rename users.name to users.display_name

Revision ID: 220a78bfe017
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: rename-column

# revision identifiers, used by Alembic.
revision = "220a78bfe017"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column("users", "name", new_column_name="display_name", existing_type=sa.String(80))


def downgrade():
    op.alter_column("users", "display_name", new_column_name="name", existing_type=sa.String(80))
