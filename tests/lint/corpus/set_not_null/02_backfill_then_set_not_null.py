"""Every user has a locale

Revision ID: 99d384549718
Revises:
Create Date: 2026-09-21 08:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: set-not-null

# revision identifiers, used by Alembic.
revision = "99d384549718"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    users = sa.table("users", sa.column("locale", sa.Text()))
    conn = op.get_bind()
    # The rows still without a locale are few: a job filled the rest last release.
    conn.execute(sa.update(users).where(users.c.locale.is_(None)).values(locale="en"))
    op.execute("ALTER TABLE users ALTER COLUMN locale SET NOT NULL")


def downgrade():
    op.execute("ALTER TABLE users ALTER COLUMN locale DROP NOT NULL")
