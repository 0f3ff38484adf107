"""event.id to bigint

Revision ID: b3d5f7a9c1e6
Revises: 2c4e6a8b0d35
Create Date: 2022-10-03 19:37:28.847562

"""

import sqlalchemy as sa
from alembic import op

# expect: column-type-rewrite

revision = "b3d5f7a9c1e6"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column(
        "event",
        "id",
        existing_type=sa.Integer(),
        type_=sa.BigInteger(),
        existing_nullable=False,
        autoincrement=True,
    )


def downgrade():
    op.alter_column(
        "event",
        "id",
        existing_type=sa.BigInteger(),
        type_=sa.Integer(),
        existing_nullable=False,
        autoincrement=True,
    )
