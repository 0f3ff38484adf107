"""Add and backfill users.locale

Revision ID: c06cfe9a072a
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: whole-table-update

# revision identifiers, used by Alembic.
revision = "c06cfe9a072a"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("locale", sa.String(length=10), nullable=True))
    # Every row is NULL in a column just added without a default: this is all of them.
    op.execute("UPDATE users SET locale = 'en' WHERE locale IS NULL")


def downgrade():
    op.drop_column("users", "locale")
