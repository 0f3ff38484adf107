"""Add orders.channel

Revision ID: 8b8bbf223d1b
Revises:
Create Date: 2026-04-28 03:51:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "8b8bbf223d1b"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # On PostgreSQL batch_alter_table defaults to recreate="auto": plain ALTER TABLE statements.
    with op.batch_alter_table("orders") as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=20), nullable=True))
        batch_op.alter_column("channel", server_default="web")


def downgrade():
    with op.batch_alter_table("orders") as batch_op:
        batch_op.drop_column("channel")
