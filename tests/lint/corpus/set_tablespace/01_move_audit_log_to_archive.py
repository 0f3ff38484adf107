"""Move audit_log to the archive disk

Revision ID: db6c544a1d39
Revises:
Create Date: 2026-02-02 01:01:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: set-tablespace

# revision identifiers, used by Alembic.
revision = "db6c544a1d39"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE audit_log SET TABLESPACE archive")


def downgrade():
    op.execute("ALTER TABLE audit_log SET TABLESPACE pg_default")
