"""Add users.nick, then name it nickname

Revision ID: 0fd156c99499
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "0fd156c99499"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("nick", sa.String(length=40), nullable=True))
    op.alter_column("users", "nick", new_column_name="nickname")


def downgrade():
    op.drop_column("users", "nickname")
