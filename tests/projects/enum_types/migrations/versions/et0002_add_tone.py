"""add a tone column with a new enum type

Revision ID: et0002
Revises: et0001
Create Date: 2025-01-02 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision: str = 'et0002'
down_revision: Union[str, Sequence[str], None] = 'et0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # add_column creates no type: the usual recipe creates it first, on the connection.
    tone = postgresql.ENUM("calm", "loud", name="tone")
    tone.create(op.get_bind(), checkfirst=True)
    op.add_column("moods", sa.Column("tone", tone, nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
