"""Drop cached exchange rates

Revision ID: 03cc47447263
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: whole-table-delete

# revision identifiers, used by Alembic.
revision = "03cc47447263"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    rates = sa.table("exchange_rates", sa.column("id", sa.Integer))
    conn = op.get_bind()
    conn.execute(sa.delete(rates))


def downgrade():
    op.execute("SELECT 1")  # the rate fetcher refills the cache
