"""index items sku

Revision ID: cvt0002
Revises: cvt0001
Create Date: 2025-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'cvt0002'
down_revision: Union[str, Sequence[str], None] = 'cvt0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index("ix_items_sku", "items", ["sku"], unique=True)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_items_sku", table_name="items")
