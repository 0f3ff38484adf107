"""Narrow ticket state to the states still used

Revision ID: 49ba0189d221
Revises:
Create Date: 2026-11-07 10:44:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# expect: enum-value-removal, column-type-rewrite

revision = "49ba0189d221"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    new_state = postgresql.ENUM("open", "pending", "solved", name="ticket_state_v2")
    new_state.create(op.get_bind(), checkfirst=False)
    op.alter_column(
        "tickets",
        "state",
        type_=postgresql.ENUM("open", "pending", "solved", name="ticket_state_v2", create_type=False),
        existing_type=postgresql.ENUM("open", "pending", "on_hold", "solved", name="ticket_state"),
        postgresql_using="state::text::ticket_state_v2",
        existing_nullable=False,
    )


def downgrade():
    op.alter_column(
        "tickets",
        "state",
        type_=postgresql.ENUM("open", "pending", "on_hold", "solved", name="ticket_state"),
        existing_type=postgresql.ENUM("open", "pending", "solved", name="ticket_state_v2"),
        postgresql_using="state::text::ticket_state",
    )
    postgresql.ENUM(name="ticket_state_v2").drop(op.get_bind())
