"""add_column: nullable, NOT NULL with a server default, with a comment

Revision ID: c01
Revises: c00
"""
import sqlalchemy as sa
from alembic import op

revision = "c01"
down_revision = "c00"


def upgrade() -> None:
    op.add_column("accounts", sa.Column("phone", sa.String(30)))
    op.add_column(
        "orders",
        sa.Column("priority", sa.Integer, nullable=False, server_default="0", comment="0 = normal"),
    )


def downgrade() -> None:
    pass
