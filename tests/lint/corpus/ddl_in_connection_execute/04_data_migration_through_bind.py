"""Normalise customer emails

Revision ID: c5d954af07dc
Revises:
Create Date: 2026-11-04 10:25:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

revision = "c5d954af07dc"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    conn.execute(
        sa.text("UPDATE customers SET email = lower(email) WHERE email <> lower(email)")
    )


def downgrade():
    pass  # lower-casing is not undone; the before-images are kept by migsafe
