"""Backfill search vectors with more memory

Revision ID: 16aa684bac88
Revises:
Create Date: 2026-11-18 10:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

revision = "16aa684bac88"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET LOCAL work_mem = '256MB'")
    op.execute("SELECT current_setting('lock_timeout')")
    op.execute(
        "UPDATE documents SET search = to_tsvector('english', body) WHERE search IS NULL"
    )


def downgrade():
    op.execute("UPDATE documents SET search = NULL")
