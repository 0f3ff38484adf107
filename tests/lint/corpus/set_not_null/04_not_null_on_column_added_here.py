"""Add the order source

Revision ID: 260e597b26b2
Revises:
Create Date: 2026-07-07 18:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: set-not-null

# revision identifiers, used by Alembic.
revision = "260e597b26b2"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("orders", sa.Column("source", sa.Text(), nullable=True, server_default="web"))
    # The column is new but orders is not: SET NOT NULL still reads every row of orders under
    # ACCESS EXCLUSIVE (adding it NOT NULL with the default would not).
    op.alter_column("orders", "source", existing_type=sa.Text(), nullable=False)


def downgrade():
    op.drop_column("orders", "source")
