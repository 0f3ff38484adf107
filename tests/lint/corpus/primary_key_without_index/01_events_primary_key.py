"""Give events a primary key

Revision ID: 636fc94e7bb1
Revises:
Create Date: 2026-10-10 09:09:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: primary-key-without-index

# revision identifiers, used by Alembic.
revision = "636fc94e7bb1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_primary_key("events_pkey", "events", ["id"])


def downgrade():
    op.drop_constraint("events_pkey", "events", type_="primary")
