"""Move ledger entries to the new ledger

Revision ID: e9e19f17f80b
Revises:
Create Date: 2026-11-06 10:37:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: lock-table

revision = "e9e19f17f80b"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    conn.exec_driver_sql("LOCK TABLE ledger, ledger_entries IN EXCLUSIVE MODE")
    conn.exec_driver_sql(
        "UPDATE ledger_entries SET ledger_id = 2 WHERE ledger_id = 1 AND booked_at >= '2026-01-01'"
    )


def downgrade():
    op.execute(
        "UPDATE ledger_entries SET ledger_id = 1 WHERE ledger_id = 2 AND booked_at >= '2026-01-01'"
    )
