"""batch_alter_table on PostgreSQL: add, alter and drop in one block

Revision ID: c10
Revises: c09
"""
import sqlalchemy as sa
from alembic import op

revision = "c10"
down_revision = "c09"


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("nickname", sa.String(40)))
        batch.alter_column("phone", type_=sa.String(60), existing_type=sa.String(30))
        batch.drop_column("legacy_code")


def downgrade() -> None:
    pass
