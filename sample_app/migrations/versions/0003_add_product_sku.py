"""add products.sku (NOT NULL, unique) with a backfill

Existing rows get a generated SKU ("SKU-<id>"), so the column is added as
nullable, backfilled, and only then made NOT NULL and unique.

Revision ID: 0003_add_product_sku
Revises: 0002_create_orders
Create Date: 2025-02-03 11:17:32.940551

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0003_add_product_sku'
down_revision: Union[str, Sequence[str], None] = '0002_create_orders'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

products = sa.table(
    'products',
    sa.column('id', sa.Integer()),
    sa.column('sku', sa.String(length=32)),
)


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sku', sa.String(length=32), nullable=True))

    # 'SKU-' || CAST(id AS VARCHAR(32)) on every backend.
    op.execute(
        products.update()
        .where(products.c.sku.is_(None))
        .values(sku=sa.literal('SKU-') + sa.cast(products.c.id, sa.String(32)))
    )

    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.alter_column('sku', existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(op.f('uq_products_sku'), ['sku'])


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('uq_products_sku'), type_='unique')
        batch_op.drop_column('sku')
