"""Remove users.legacy_password_hash

Revision ID: 05cc00d444f5
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: drop-column

# revision identifiers, used by Alembic.
revision = "05cc00d444f5"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.drop_column("users", "legacy_password_hash")


def downgrade():
    op.add_column(
        "users", sa.Column("legacy_password_hash", sa.String(length=128), nullable=True)
    )
