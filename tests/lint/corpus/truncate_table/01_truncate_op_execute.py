"""Clear the search cache

Revision ID: e4bff7c20e9c
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: truncate-table

# revision identifiers, used by Alembic.
revision = "e4bff7c20e9c"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("TRUNCATE TABLE search_cache")


def downgrade():
    op.execute("SELECT 1")  # the cache refills itself
