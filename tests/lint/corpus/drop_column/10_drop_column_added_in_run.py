"""Replace a scratch column

Revision ID: febc5d332c08
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "febc5d332c08"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("invoices", sa.Column("tmp_total", sa.Numeric(12, 2), nullable=True))
    op.drop_column("invoices", "tmp_total")
    op.add_column("invoices", sa.Column("total_net", sa.Numeric(12, 2), nullable=True))


def downgrade():
    op.drop_column("invoices", "total_net")
