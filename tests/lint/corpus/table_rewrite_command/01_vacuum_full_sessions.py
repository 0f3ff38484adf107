"""Reclaim the space of the sessions table

Revision ID: a2783a48f22d
Revises:
Create Date: 2026-10-18 21:09:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: table-rewrite-command

# revision identifiers, used by Alembic.
revision = "a2783a48f22d"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # VACUUM cannot run inside a transaction block.
    with op.get_context().autocommit_block():
        op.execute("VACUUM FULL sessions")


def downgrade():
    with op.get_context().autocommit_block():
        op.execute("VACUUM sessions")
