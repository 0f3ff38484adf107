"""Country codes are ISO alpha-2

Revision ID: d92bb38433b5
Revises:
Create Date: 2026-06-14 05:53:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: column-type-rewrite

# revision identifiers, used by Alembic.
revision = "d92bb38433b5"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # Two-letter codes only from now on; the old column allowed names.
    with op.batch_alter_table("customers") as batch_op:
        batch_op.alter_column(
            "country",
            existing_type=sa.String(length=64),
            type_=sa.String(length=2),
        )


def downgrade():
    with op.batch_alter_table("customers") as batch_op:
        batch_op.alter_column(
            "country",
            existing_type=sa.String(length=2),
            type_=sa.String(length=64),
        )
