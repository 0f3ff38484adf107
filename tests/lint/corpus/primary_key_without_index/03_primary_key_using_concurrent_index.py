"""Give events a primary key

Revision ID: e823eeb31b1a
Revises:
Create Date: 2026-03-19 02:02:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "e823eeb31b1a"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index(
            "events_pkey",
            "events",
            ["id"],
            unique=True,
            postgresql_concurrently=True,
        )
    op.execute("ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_pkey")


def downgrade():
    op.drop_constraint("events_pkey", "events", type_="primary")
