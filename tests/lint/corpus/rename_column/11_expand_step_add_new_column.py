"""Expand: add orders.total next to orders.amount

Revision ID: c6f94b53705e
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "c6f94b53705e"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # Step 1 of a rename: the new column; the code writes both, a backfill copies amount over.
    op.add_column("orders", sa.Column("total", sa.Numeric(12, 2), nullable=True))


def downgrade():
    op.drop_column("orders", "total")
