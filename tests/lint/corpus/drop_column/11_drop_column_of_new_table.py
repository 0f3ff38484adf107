"""Create webhooks without the secret column

Revision ID: 0029aec99058
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "0029aec99058"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "webhooks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("secret", sa.Text, nullable=True),
    )
    op.drop_column("webhooks", "secret")


def downgrade():
    op.drop_table("webhooks")
