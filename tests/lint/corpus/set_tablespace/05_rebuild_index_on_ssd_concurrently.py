"""Rebuild the events index on the SSD tablespace

Revision ID: 9460c3c5f02f
Revises:
Create Date: 2026-12-16 23:23:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "9460c3c5f02f"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # Instead of moving the index (a copy under ACCESS EXCLUSIVE), build a new one in the target
    # tablespace concurrently and drop the old one concurrently.
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_events_created_at_ssd",
            "events",
            ["created_at"],
            postgresql_concurrently=True,
            postgresql_tablespace="fast_ssd",
        )
        op.drop_index("ix_events_created_at", table_name="events", postgresql_concurrently=True)


def downgrade():
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_events_created_at", "events", ["created_at"], postgresql_concurrently=True
        )
        op.drop_index(
            "ix_events_created_at_ssd", table_name="events", postgresql_concurrently=True
        )
