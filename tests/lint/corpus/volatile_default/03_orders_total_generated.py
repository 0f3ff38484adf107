"""Store the order total with tax

Revision ID: 10a07bf6e5c0
Revises:
Create Date: 2026-01-09 00:36:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: volatile-default

# revision identifiers, used by Alembic.
revision = "10a07bf6e5c0"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "orders",
        sa.Column(
            "total_with_tax",
            sa.Numeric(12, 2),
            sa.Computed("subtotal * (1 + tax_rate)", persisted=True),
        ),
    )


def downgrade():
    op.drop_column("orders", "total_with_tax")
