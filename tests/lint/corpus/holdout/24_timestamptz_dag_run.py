"""Use timestamptz for dag_run.start_date

Revision ID: 0f2b4d6e8a31
Revises: 9e1c3a5b7d40
Create Date: 2021-07-15 13:09:50.635271

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# expect: column-type-rewrite

revision = "0f2b4d6e8a31"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column(
        "dag_run",
        "start_date",
        existing_type=postgresql.TIMESTAMP(),
        type_=sa.DateTime(timezone=True),
        existing_nullable=True,
    )


def downgrade():
    op.alter_column(
        "dag_run",
        "start_date",
        existing_type=sa.DateTime(timezone=True),
        type_=postgresql.TIMESTAMP(),
        existing_nullable=True,
    )
