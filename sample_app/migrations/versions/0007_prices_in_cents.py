"""store money as integer cents

products.price and order_items.unit_price were NUMERIC(10, 2); rounding bugs in
the basket code led us to integer cents everywhere. Data migration: every price
is converted (price * 100, rounded) into the new *_cents columns, the old
columns are dropped. The downgrade converts back (cents / 100).

Revision ID: 0007_prices_in_cents
Revises: 0006_split_customer_name
Create Date: 2025-04-07 15:48:03.265418

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0007_prices_in_cents'
down_revision: Union[str, Sequence[str], None] = '0006_split_customer_name'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# For `migsafe revert`: the old price columns come back NOT NULL, and rows the shop wrote
# after this migration only have cents. migsafe restores the kept prices of the other rows
# and computes these (read from this file, never imported for it).
migsafe_revert_fill = {
    'order_items.unit_price': 'unit_price_cents / 100.0',
    'products.price': 'price_cents / 100.0',
}


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('price_cents', sa.Integer(), nullable=True))
    with op.batch_alter_table('order_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_price_cents', sa.Integer(), nullable=True))

    op.execute('UPDATE products SET price_cents = CAST(ROUND(price * 100) AS INTEGER)')
    op.execute('UPDATE order_items SET unit_price_cents = CAST(ROUND(unit_price * 100) AS INTEGER)')

    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.alter_column('price_cents', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(op.f('ck_products_price_non_negative'), type_='check')
        batch_op.drop_column('price')
        batch_op.create_check_constraint(
            op.f('ck_products_price_cents_non_negative'), 'price_cents >= 0'
        )
    with op.batch_alter_table('order_items', schema=None) as batch_op:
        batch_op.alter_column('unit_price_cents', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('unit_price')


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('order_items', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('unit_price', sa.Numeric(precision=10, scale=2), nullable=True)
        )
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('price', sa.Numeric(precision=10, scale=2), nullable=True))

    op.execute('UPDATE order_items SET unit_price = unit_price_cents / 100.0')
    op.execute('UPDATE products SET price = price_cents / 100.0')

    with op.batch_alter_table('order_items', schema=None) as batch_op:
        batch_op.alter_column(
            'unit_price', existing_type=sa.Numeric(precision=10, scale=2), nullable=False
        )
        batch_op.drop_column('unit_price_cents')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.alter_column(
            'price', existing_type=sa.Numeric(precision=10, scale=2), nullable=False
        )
        batch_op.drop_constraint(op.f('ck_products_price_cents_non_negative'), type_='check')
        batch_op.drop_column('price_cents')
        batch_op.create_check_constraint(op.f('ck_products_price_non_negative'), 'price >= 0')
