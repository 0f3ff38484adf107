"""Add FK index helper column

Revision ID: 40da8ac8d930
Revises:
Create Date: 2026-11-07 10:26:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: timeout-override

revision = "40da8ac8d930"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    conn.execute(sa.text("SELECT set_config('lock_timeout', '30s', true)"))
    op.add_column("payments", sa.Column("batch_id", sa.BigInteger(), nullable=True))


def downgrade():
    op.drop_column("payments", "batch_id")
