"""Replace the users email index by a lower() one

Revision ID: c325cbed4b84
Revises:
Create Date: 2026-01-17 12:24:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: drop-index-not-concurrent

# revision identifiers, used by Alembic.
revision = "c325cbed4b84"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_users_email_lower",
            "users",
            [sa.text("lower(email)")],
            postgresql_concurrently=True,
        )
    # The new index is in place; the old one goes with a plain DROP INDEX.
    op.execute("DROP INDEX ix_users_email")


def downgrade():
    with op.get_context().autocommit_block():
        op.create_index("ix_users_email", "users", ["email"], postgresql_concurrently=True)
        op.drop_index("ix_users_email_lower", table_name="users", postgresql_concurrently=True)
