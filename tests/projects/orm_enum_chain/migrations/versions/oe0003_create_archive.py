"""archived tickets, reusing the status enum

Revision ID: oe0003
Revises: oe0002
Create Date: 2025-01-03 00:00:00.000000

"""
import os
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'oe0003'
down_revision: Union[str, Sequence[str], None] = 'oe0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # The same sa.Enum again: `alembic upgrade head` does not create the type twice, because
    # Alembic remembers (per command) the types create_table has created.
    op.create_table(
        "archived_tickets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("status", sa.Enum("open", "closed", name="ticket_status"), nullable=False),
    )
    if os.environ.get("ORM_ENUM_CHAIN_FAIL"):
        raise RuntimeError("injected failure in the last revision")


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("archived_tickets")
