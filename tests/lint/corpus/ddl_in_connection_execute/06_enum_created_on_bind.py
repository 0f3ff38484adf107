"""Add mood to people

Revision ID: 279729accff2
Revises:
Create Date: 2026-11-24 10:18:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# expect: none

revision = "279729accff2"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    mood = postgresql.ENUM("sad", "ok", "happy", name="mood")
    mood.create(op.get_bind(), checkfirst=True)
    op.add_column("people", sa.Column("mood", postgresql.ENUM(name="mood", create_type=False)))


def downgrade():
    op.drop_column("people", "mood")
    postgresql.ENUM(name="mood").drop(op.get_bind())
