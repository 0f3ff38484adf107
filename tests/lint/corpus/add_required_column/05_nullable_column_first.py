"""Track who created each invoice

Revision ID: 22e36260f563
Revises:
Create Date: 2026-08-08 19:19:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "22e36260f563"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # Nullable first; a job backfills it and a later release makes it NOT NULL.
    op.add_column("invoices", sa.Column("created_by", sa.BigInteger(), nullable=True))
    op.add_column(
        "invoices",
        sa.Column("created_via", sa.String(length=16), nullable=False, server_default="web"),
    )


def downgrade():
    op.drop_column("invoices", "created_via")
    op.drop_column("invoices", "created_by")
