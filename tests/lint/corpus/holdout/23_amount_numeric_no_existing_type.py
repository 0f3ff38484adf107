"""Store line_item.amount as numeric

Revision ID: 6e8a0c2e4b19
Revises: 5d7f9b1a3c62
Create Date: 2023-03-30 10:22:47.190654

"""

import sqlalchemy as sa
from alembic import op

# expect: column-type-rewrite

revision = "6e8a0c2e4b19"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column(
        "line_item", "amount", type_=sa.Numeric(12, 2), postgresql_using="amount::numeric(12,2)"
    )


def downgrade():
    op.alter_column(
        "line_item", "amount", type_=sa.Float(), postgresql_using="amount::double precision"
    )
