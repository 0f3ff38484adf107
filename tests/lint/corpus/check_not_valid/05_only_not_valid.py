"""Stop new negative stock counts

Revision ID: e65d6c170bf9
Revises:
Create Date: 2026-10-06 09:09:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "e65d6c170bf9"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # Only new and updated rows are checked; the old rows are validated in a later release.
    op.create_check_constraint(
        "ck_stock_quantity",
        "stock",
        sa.column("quantity") >= 0,
        postgresql_not_valid=True,
    )


def downgrade():
    op.drop_constraint("ck_stock_quantity", "stock", type_="check")
