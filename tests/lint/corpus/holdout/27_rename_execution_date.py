"""Rename dag_run.execution_date to logical_date

Revision ID: 1c3e5a7b9d26
Revises: e6f8a0b2c4d1
Create Date: 2022-02-07 12:14:03.485216

"""

import sqlalchemy as sa
from alembic import op

# expect: rename-column

revision = "1c3e5a7b9d26"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("dag_run", schema=None) as batch_op:
        batch_op.alter_column(
            "execution_date",
            new_column_name="logical_date",
            existing_type=sa.DateTime(timezone=True),
            existing_nullable=False,
        )


def downgrade():
    with op.batch_alter_table("dag_run", schema=None) as batch_op:
        batch_op.alter_column(
            "logical_date",
            new_column_name="execution_date",
            existing_type=sa.DateTime(timezone=True),
            existing_nullable=False,
        )
