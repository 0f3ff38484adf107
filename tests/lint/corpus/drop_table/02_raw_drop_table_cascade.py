"""Drop the v1 API keys

Revision ID: 261b5bedd387
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: drop-table

# revision identifiers, used by Alembic.
revision = "261b5bedd387"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DROP TABLE IF EXISTS api_keys_v1 CASCADE")


def downgrade():
    op.create_table(
        "api_keys_v1",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key_hash", sa.String(64), nullable=False),
    )
