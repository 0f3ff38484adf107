"""Mark all invoices as legacy

Revision ID: bc0806527be1
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: whole-table-update

# revision identifiers, used by Alembic.
revision = "bc0806527be1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    invoices = sa.table(
        "invoices",
        sa.column("id", sa.Integer),
        sa.column("format", sa.String),
    )
    op.execute(invoices.update().values(format="legacy"))


def downgrade():
    invoices = sa.table("invoices", sa.column("format", sa.String))
    op.execute(invoices.update().values(format=None))
