"""rename_table

Revision ID: c06
Revises: c05
"""
from alembic import op

revision = "c06"
down_revision = "c05"


def upgrade() -> None:
    op.rename_table("old_names", "labels")


def downgrade() -> None:
    pass
