"""Retire the old_disk tablespace

Revision ID: 237bd0487258
Revises:
Create Date: 2026-05-17 16:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: set-tablespace

# revision identifiers, used by Alembic.
revision = "237bd0487258"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE ALL IN TABLESPACE old_disk SET TABLESPACE pg_default")


def downgrade():
    op.execute("ALTER TABLE ALL IN TABLESPACE pg_default OWNED BY app SET TABLESPACE old_disk")
