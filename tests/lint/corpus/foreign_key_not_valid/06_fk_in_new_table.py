"""Create the order notes table

Revision ID: d4f38c8c891f
Revises:
Create Date: 2026-04-16 15:03:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "d4f38c8c891f"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "order_notes",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("order_id", sa.BigInteger(), sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
    )
    op.add_column("order_notes", sa.Column("author_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        "fk_order_notes_author_id", "order_notes", "users", ["author_id"], ["id"]
    )


def downgrade():
    op.drop_table("order_notes")
