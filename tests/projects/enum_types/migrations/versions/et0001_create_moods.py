"""create moods, whose enum type create_table creates

Revision ID: et0001
Revises:
Create Date: 2025-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'et0001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "moods",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("mood", sa.Enum("happy", "sad", name="mood"), nullable=False),
    )


def downgrade() -> None:
    """Downgrade schema."""
