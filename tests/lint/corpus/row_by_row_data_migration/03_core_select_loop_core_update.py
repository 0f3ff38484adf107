"""Recompute order totals

Revision ID: a4f35e8e5885
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: row-by-row-data-migration

# revision identifiers, used by Alembic.
revision = "a4f35e8e5885"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    orders = sa.table(
        "orders",
        sa.column("id", sa.Integer),
        sa.column("subtotal", sa.Numeric),
        sa.column("tax", sa.Numeric),
        sa.column("total", sa.Numeric),
    )
    conn = op.get_bind()
    rows = conn.execute(sa.select(orders.c.id, orders.c.subtotal, orders.c.tax)).fetchall()
    for row in rows:
        conn.execute(
            orders.update().where(orders.c.id == row.id).values(total=row.subtotal + row.tax)
        )


def downgrade():
    op.execute("SELECT 1")  # totals are derived data
