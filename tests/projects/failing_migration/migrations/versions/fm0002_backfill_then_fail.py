"""backfill then fail

Revision ID: fm0002
Revises: fm0001
Create Date: 2025-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'fm0002'
down_revision: Union[str, Sequence[str], None] = 'fm0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("INSERT INTO accounts (id, name) VALUES (1, 'alice')")
    op.add_column("accounts", sa.Column("balance", sa.Integer(), nullable=True))
    raise RuntimeError("boom in fm0002: the backfill found bad data")


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("accounts", "balance")
    op.execute("DELETE FROM accounts WHERE id = 1")
