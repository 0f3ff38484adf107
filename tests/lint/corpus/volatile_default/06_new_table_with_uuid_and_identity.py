"""Create the webhooks table

Revision ID: ae913bac061f
Revises:
Create Date: 2026-12-08 23:47:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "ae913bac061f"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "webhooks",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), primary_key=True),
        sa.Column("uid", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
    )
    op.add_column(
        "webhooks",
        sa.Column("secret", sa.Text(), server_default=sa.text("md5(random()::text)")),
    )


def downgrade():
    op.drop_table("webhooks")
