"""Link tickets to their assignee

Revision ID: 6dee2221bd02
Revises:
Create Date: 2026-03-27 02:50:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "6dee2221bd02"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # ADD COLUMN ... REFERENCES without a DEFAULT: the new column is all NULL and PostgreSQL
    # marks the constraint valid without scanning tickets.
    op.execute("ALTER TABLE tickets ADD COLUMN assignee_id bigint REFERENCES users (id)")


def downgrade():
    op.execute("ALTER TABLE tickets DROP COLUMN assignee_id")
