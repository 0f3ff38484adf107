"""Add users.theme with a default

Revision ID: 1f43f53cb306
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "1f43f53cb306"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "users",
        sa.Column("theme", sa.String(length=10), server_default="light", nullable=True),
    )
    # Rows got the default, not NULL: this only touches rows inserted with an explicit NULL.
    op.execute("UPDATE users SET theme = 'light' WHERE theme IS NULL")


def downgrade():
    op.drop_column("users", "theme")
