"""Create the carts table

Revision ID: 4245b3636bef
Revises:
Create Date: 2026-04-04 15:39:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "4245b3636bef"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "carts",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
    )
    # The table was created just above: nothing to scan.
    op.alter_column("carts", "user_id", existing_type=sa.BigInteger(), nullable=False)


def downgrade():
    op.drop_table("carts")
