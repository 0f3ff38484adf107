"""Close expired carts

Revision ID: fe0589f96269
Revises:
Create Date: 2026-11-24 10:19:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

revision = "fe0589f96269"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "WITH expired AS (SELECT id FROM carts WHERE expires_at < now() FOR UPDATE SKIP LOCKED) "
        "UPDATE carts SET closed = true WHERE id IN (SELECT id FROM expired)"
    )


def downgrade():
    op.execute("SELECT 1")
