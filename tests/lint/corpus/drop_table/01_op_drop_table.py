"""Drop the legacy_carts table

Revision ID: e25165a5424e
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: drop-table

# revision identifiers, used by Alembic.
revision = "e25165a5424e"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table("legacy_carts")


def downgrade():
    op.create_table(
        "legacy_carts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("payload", sa.JSON, nullable=True),
    )
