"""rename customers.name to customers.full_name

Revision ID: 0005_rename_customer_name
Revises: 0004_index_orders
Create Date: 2025-03-04 14:26:45.118902

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0005_rename_customer_name'
down_revision: Union[str, Sequence[str], None] = '0004_index_orders'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.alter_column(
            'name',
            new_column_name='full_name',
            existing_type=sa.String(length=200),
            existing_nullable=False,
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.alter_column(
            'full_name',
            new_column_name='name',
            existing_type=sa.String(length=200),
            existing_nullable=False,
        )
