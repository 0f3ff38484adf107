"""table comments: create and drop

Revision ID: c09
Revises: c08
"""
from alembic import op

revision = "c09"
down_revision = "c08"


def upgrade() -> None:
    op.create_table_comment("orders", "what customers bought")
    op.drop_table_comment("accounts", existing_comment="customer accounts")


def downgrade() -> None:
    pass
