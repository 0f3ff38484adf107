"""Emails are unique

Revision ID: b287af4e3734
Revises:
Create Date: 2026-05-09 04:28:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "b287af4e3734"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index(
            "uq_users_email",
            "users",
            ["email"],
            unique=True,
            postgresql_concurrently=True,
        )
    op.execute("ALTER TABLE users ADD CONSTRAINT uq_users_email UNIQUE USING INDEX uq_users_email")


def downgrade():
    op.drop_constraint("uq_users_email", "users", type_="unique")
