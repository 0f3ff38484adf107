"""slow step

Revision ID: sl0002
Revises: sl0001
Create Date: 2025-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'sl0002'
down_revision: Union[str, Sequence[str], None] = 'sl0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("INSERT INTO jobs (id) VALUES (1)")
    op.execute("SELECT pg_sleep(30)")


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("DELETE FROM jobs WHERE id = 1")
