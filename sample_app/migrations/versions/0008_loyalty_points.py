"""add customers.loyalty_points, backfilled from the order history

Adds the loyalty_points column (NOT NULL, default 0) and backfills it from
the order history: one point per whole currency unit spent on orders that
were not cancelled.

Opt-in failure demo: when the environment variable SHOP_BREAK_MIGRATION=1 is
set, after the column has been added and backfilled it also runs a stale
backfill query, written before 0007_prices_in_cents, that still reads
order_items.unit_price, a column that no longer exists, so the database
rejects it and the upgrade fails halfway through this revision. A guarded
upgrade (migsafe) must then roll the whole chain it applied back. Without the
variable (the default) the migration applies cleanly.

Revision ID: 0008_loyalty_points
Revises: 0007_prices_in_cents
Create Date: 2025-05-12 13:20:58.640027

"""
import os
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0008_loyalty_points'
down_revision: Union[str, Sequence[str], None] = '0007_prices_in_cents'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BACKFILL = """
UPDATE customers SET loyalty_points = COALESCE((
    SELECT SUM(oi.quantity * oi.{price_column})
    FROM orders o JOIN order_items oi ON oi.order_id = o.id
    WHERE o.customer_id = customers.id AND o.status <> 'cancelled'
), 0) / 100
"""


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('loyalty_points', sa.Integer(), server_default='0', nullable=False)
        )

    op.execute(BACKFILL.format(price_column='unit_price_cents'))

    if os.environ.get('SHOP_BREAK_MIGRATION') == '1':
        # The stale query: order_items.unit_price was dropped by 0007_prices_in_cents.
        op.execute(BACKFILL.format(price_column='unit_price'))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('loyalty_points')
