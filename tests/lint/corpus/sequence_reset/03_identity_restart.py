"""Restart event ids

Revision ID: 17258eb554bd
Revises:
Create Date: 2026-11-20 10:17:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: sequence-reset

revision = "17258eb554bd"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE events ALTER COLUMN id RESTART WITH 1")


def downgrade():
    op.execute(
        "SELECT setval(pg_get_serial_sequence('events', 'id'), (SELECT max(id) FROM events))"
    )
