"""alter_column: widen, narrow, nullable, server default, comment, rename

Revision ID: c03
Revises: c02
"""
import sqlalchemy as sa
from alembic import op

revision = "c03"
down_revision = "c02"


def upgrade() -> None:
    op.alter_column("accounts", "name", type_=sa.String(200), existing_type=sa.String(100))
    op.alter_column("orders", "state", type_=sa.String(12), existing_type=sa.String(20))
    op.alter_column("orders", "total", type_=sa.Numeric(10, 0), existing_type=sa.Numeric(10, 2))
    op.alter_column("accounts", "balance", server_default=None)
    op.alter_column("accounts", "status", server_default="new", existing_type=sa.String(20))
    op.alter_column("accounts", "legacy_code", comment="retired", existing_type=sa.String(20))
    op.alter_column("accounts", "email", nullable=True, existing_type=sa.Text)
    op.alter_column("orders", "placed_at", new_column_name="ordered_at")


def downgrade() -> None:
    pass
