"""Create imports (staged under another name)

Revision ID: 382149cffb9f
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "382149cffb9f"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "imports_new",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(40), nullable=False),
    )
    op.rename_table("imports_new", "imports")


def downgrade():
    op.drop_table("imports")
