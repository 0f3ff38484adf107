"""Create the gift cards table

Revision ID: 28bfc22399d7
Revises:
Create Date: 2026-04-04 15:03:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "28bfc22399d7"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "gift_cards",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("balance", sa.Numeric(10, 2), nullable=False),
        sa.CheckConstraint("balance >= 0", name="ck_gift_cards_balance"),
    )
    op.create_check_constraint("ck_gift_cards_id", "gift_cards", "id > 0")


def downgrade():
    op.drop_table("gift_cards")
