"""seed events

Revision ID: as0002
Revises: as0001
Create Date: 2025-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'as0002'
down_revision: Union[str, Sequence[str], None] = 'as0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # Records which session ran the migration: migsafe's, or env.py's own asyncpg one.
    op.execute("INSERT INTO events (id, kind) VALUES (1, current_setting('application_name'))")


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("DELETE FROM events WHERE id = 1")
