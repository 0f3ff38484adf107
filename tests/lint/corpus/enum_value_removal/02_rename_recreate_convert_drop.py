"""Drop stale from order_status

Revision ID: 6285ffdf9e06
Revises:
Create Date: 2026-11-05 10:28:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: enum-value-removal, column-type-rewrite

revision = "6285ffdf9e06"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE orders SET status = 'closed' WHERE status = 'stale'")
    op.execute("ALTER TYPE order_status RENAME TO order_status_old")
    op.execute("CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped', 'closed')")
    op.execute(
        "ALTER TABLE orders ALTER COLUMN status TYPE order_status "
        "USING status::text::order_status"
    )
    op.execute("DROP TYPE order_status_old")


def downgrade():
    op.execute("ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'stale'")
