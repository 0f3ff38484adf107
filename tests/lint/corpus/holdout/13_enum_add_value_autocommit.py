"""Add 'archived' to project status and archive stale projects

Revision ID: a7d2c4e6f801
Revises: 93b5f1e0c2d7
Create Date: 2024-06-01 07:55:21.664039

"""

from alembic import op

# expect: none

revision = "a7d2c4e6f801"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute("ALTER TYPE projectstatus ADD VALUE IF NOT EXISTS 'archived'")
    op.execute(
        "UPDATE project SET status = 'archived' "
        "WHERE status = 'active' AND last_event_at < now() - interval '2 years'"
    )


def downgrade():
    op.execute("UPDATE project SET status = 'active' WHERE status = 'archived'")
