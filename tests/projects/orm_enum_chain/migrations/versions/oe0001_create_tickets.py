"""create tickets with a status enum

Revision ID: oe0001
Revises:
Create Date: 2025-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'oe0001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # create_table emits CREATE TYPE ticket_status itself (sa.Enum's create_type).
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(50), nullable=False),
        sa.Column("status", sa.Enum("open", "closed", name="ticket_status"), nullable=False),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("tickets")
    sa.Enum(name="ticket_status").drop(op.get_bind())
