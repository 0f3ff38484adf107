"""Drop accounts.fax (unused since 2026.10)

Revision ID: f967f1e71fd1
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "f967f1e71fd1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # migsafe: ignore[drop-column] no release reads accounts.fax since 2026.10 (PR 4127)
    op.drop_column("accounts", "fax")


def downgrade():
    op.add_column("accounts", sa.Column("fax", sa.String(length=40), nullable=True))
