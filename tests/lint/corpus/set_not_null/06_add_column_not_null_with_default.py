"""Add the order source

Revision ID: c761b2fbd363
Revises:
Create Date: 2026-04-16 03:15:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "c761b2fbd363"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # NOT NULL with a constant DEFAULT in the ADD COLUMN itself: PostgreSQL 11+ stores the
    # default as the missing value and needs neither a rewrite nor a NULL scan.
    op.add_column(
        "orders",
        sa.Column("source", sa.Text(), nullable=False, server_default="web"),
    )
    # Already NOT NULL: this is a no-op for PostgreSQL.
    op.execute("ALTER TABLE orders ALTER COLUMN source SET NOT NULL")


def downgrade():
    op.drop_column("orders", "source")
