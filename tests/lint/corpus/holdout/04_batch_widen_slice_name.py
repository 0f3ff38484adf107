"""Increase slice_name length

Revision ID: 1a1d627ebd8e
Revises: 0c5070e96b57
Create Date: 2021-09-14 11:02:51.774410

"""

import sqlalchemy as sa
from alembic import op

# expect: none

revision = "1a1d627ebd8e"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("slices") as batch_op:
        batch_op.alter_column(
            "slice_name",
            existing_type=sa.String(length=250),
            type_=sa.String(length=500),
            existing_nullable=True,
        )


def downgrade():
    with op.batch_alter_table("slices") as batch_op:
        batch_op.alter_column(
            "slice_name",
            existing_type=sa.String(length=500),
            type_=sa.String(length=250),
            existing_nullable=True,
        )
