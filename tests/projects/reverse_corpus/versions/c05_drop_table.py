"""drop_table: a table with rows, an index, an outgoing foreign key

Revision ID: c05
Revises: c04
"""
from alembic import op

revision = "c05"
down_revision = "c04"


def upgrade() -> None:
    op.drop_table("audit_log")


def downgrade() -> None:
    pass
