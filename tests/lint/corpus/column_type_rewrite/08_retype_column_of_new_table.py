"""Create the vouchers table

Revision ID: f82434e3d83b
Revises:
Create Date: 2026-08-12 19:43:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "f82434e3d83b"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "vouchers",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("code", sa.Integer(), nullable=False),
    )
    # The table was created just above: it is empty, its rewrite costs nothing.
    op.alter_column("vouchers", "code", existing_type=sa.Integer(), type_=sa.String(length=16))


def downgrade():
    op.drop_table("vouchers")
