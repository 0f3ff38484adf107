"""merge feature and other

Revision ID: br0merge
Revises: br0feat, br0othr
Create Date: 2025-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'br0merge'
down_revision: Union[str, Sequence[str], None] = ('br0feat', 'br0othr')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("INSERT INTO base_t (id) VALUES (1)")


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("DELETE FROM base_t WHERE id = 1")
