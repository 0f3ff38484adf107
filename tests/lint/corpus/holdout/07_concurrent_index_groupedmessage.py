"""Add index on sentry_groupedmessage (project_id, last_seen)

Revision ID: c0ffee12ab34
Revises: 5a9d0e7f1b26
Create Date: 2023-08-30 10:05:37.218774

"""

from alembic import op

# expect: none

revision = "c0ffee12ab34"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index(
            "sentry_groupedmessage_project_id_last_seen_idx",
            "sentry_groupedmessage",
            ["project_id", "last_seen"],
            unique=False,
            postgresql_concurrently=True,
        )


def downgrade():
    with op.get_context().autocommit_block():
        op.drop_index(
            "sentry_groupedmessage_project_id_last_seen_idx",
            table_name="sentry_groupedmessage",
            postgresql_concurrently=True,
        )
