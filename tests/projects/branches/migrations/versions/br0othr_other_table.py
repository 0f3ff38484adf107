"""other table

Revision ID: br0othr
Revises: br0base
Create Date: 2025-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'br0othr'
down_revision: Union[str, Sequence[str], None] = 'br0base'
branch_labels: Union[str, Sequence[str], None] = ('other',)
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'other_t',
        sa.Column("id", sa.Integer(), primary_key=True),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('other_t')
