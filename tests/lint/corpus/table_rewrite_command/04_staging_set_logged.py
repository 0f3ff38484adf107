"""Make the import staging table crash-safe

Revision ID: 04b26ca9f85d
Revises:
Create Date: 2026-06-26 05:05:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: table-rewrite-command

# revision identifiers, used by Alembic.
revision = "04b26ca9f85d"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE import_staging SET LOGGED")


def downgrade():
    op.execute("ALTER TABLE import_staging SET UNLOGGED")
