"""Drop the order summary view

Revision ID: e58a0ecc8fa9
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "e58a0ecc8fa9"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DROP VIEW IF EXISTS order_summary")
    op.execute("DROP SEQUENCE IF EXISTS order_summary_seq")


def downgrade():
    op.execute("CREATE SEQUENCE order_summary_seq")
    op.execute(
        "CREATE VIEW order_summary AS SELECT customer_id, count(*) AS n FROM orders "
        "GROUP BY customer_id"
    )
