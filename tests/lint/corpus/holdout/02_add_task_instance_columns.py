"""Add queued_by_job_id, trigger payload and duration to task_instance

Revision ID: b247b1e3d1ed
Revises: 8646922c8a04
Create Date: 2023-11-02 17:40:03.112845

"""

import sqlalchemy as sa
from alembic import op

# expect: none

revision = "b247b1e3d1ed"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("task_instance", sa.Column("queued_by_job_id", sa.Integer(), nullable=True))
    op.add_column("task_instance", sa.Column("next_kwargs", sa.JSON(), nullable=True))
    op.add_column("task_instance", sa.Column("duration", sa.Float(), nullable=True))
    op.add_column(
        "task_instance", sa.Column("external_executor_id", sa.String(length=250), nullable=True)
    )


def downgrade():
    op.drop_column("task_instance", "external_executor_id")
    op.drop_column("task_instance", "duration")
    op.drop_column("task_instance", "next_kwargs")
    op.drop_column("task_instance", "queued_by_job_id")
