"""Track who created each invoice

Revision ID: a88108f452f7
Revises:
Create Date: 2026-12-20 23:23:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "a88108f452f7"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("invoices", sa.Column("created_by", sa.BigInteger(), nullable=True))
    op.execute(
        "UPDATE invoices SET created_by = 0 WHERE created_by IS NULL AND id < 50000"
    )


def downgrade():
    op.drop_column("invoices", "created_by")
