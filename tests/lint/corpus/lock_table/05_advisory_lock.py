"""Backfill slugs once across workers

Revision ID: 9fc3503a2f54
Revises:
Create Date: 2026-11-17 10:34:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

revision = "9fc3503a2f54"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SELECT pg_advisory_xact_lock(hashtext('backfill-slugs'))")
    op.execute("UPDATE articles SET slug = lower(title) WHERE slug IS NULL")


def downgrade():
    op.execute("SELECT 1")
