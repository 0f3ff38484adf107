"""Relax users.nickname

Revision ID: 4f99570034ba
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "4f99570034ba"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.drop_constraint("ck_users_nickname_length", "users", type_="check")
    op.alter_column("users", "nickname", server_default=None, existing_type=sa.String(40))


def downgrade():
    op.alter_column("users", "nickname", server_default="", existing_type=sa.String(40))
    op.create_check_constraint(
        "ck_users_nickname_length", "users", "length(nickname) <= 40"
    )
