"""Requeue jobs stuck in 'pending'

Revision ID: 1f9b3d5e7a02
Revises: 8c0a2e4b6d91
Create Date: 2024-02-27 20:11:34.645812

"""

import sqlalchemy as sa
from alembic import op

# expect: none

revision = "1f9b3d5e7a02"
down_revision = None
branch_labels = None
depends_on = None

job = sa.table(
    "job",
    sa.column("id", sa.Integer),
    sa.column("state", sa.String),
    sa.column("queued_at", sa.DateTime),
)


def upgrade():
    op.execute(
        job.update().where(job.c.state == "pending").values(state="queued", queued_at=sa.func.now())
    )


def downgrade():
    op.execute(job.update().where(job.c.state == "queued").values(state="pending"))
