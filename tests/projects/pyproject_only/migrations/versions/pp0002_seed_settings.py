"""seed settings

Revision ID: pp0002
Revises: pp0001
Create Date: 2025-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'pp0002'
down_revision: Union[str, Sequence[str], None] = 'pp0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("INSERT INTO settings (id, key) VALUES (1, 'theme')")


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("DELETE FROM settings WHERE id = 1")
