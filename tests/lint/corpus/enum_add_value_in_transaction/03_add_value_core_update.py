"""Split high priority into high and critical

Revision ID: 3b4943a1418e
Revises:
Create Date: 2026-11-25 10:42:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: enum-add-value-in-transaction

revision = "3b4943a1418e"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TYPE ticket_priority ADD VALUE 'critical' AFTER 'high'")
    tickets = sa.table(
        "tickets", sa.column("priority", sa.String), sa.column("sla_hours", sa.Integer)
    )
    conn = op.get_bind()
    conn.execute(
        sa.update(tickets)
        .where(tickets.c.priority == "high", tickets.c.sla_hours < 4)
        .values(priority="critical")
    )


def downgrade():
    tickets = sa.table("tickets", sa.column("priority", sa.String))
    op.get_bind().execute(
        sa.update(tickets).where(tickets.c.priority == "critical").values(priority="high")
    )
