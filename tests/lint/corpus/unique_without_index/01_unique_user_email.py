"""Emails are unique

Revision ID: 72d4dd1a0c35
Revises:
Create Date: 2026-06-02 05:53:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: unique-without-index

# revision identifiers, used by Alembic.
revision = "72d4dd1a0c35"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_unique_constraint("uq_users_email", "users", ["email"])


def downgrade():
    op.drop_constraint("uq_users_email", "users", type_="unique")
