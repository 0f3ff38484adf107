"""Track who created each invoice

Revision ID: 709561740b02
Revises:
Create Date: 2026-11-27 10:22:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: add-required-column

# revision identifiers, used by Alembic.
revision = "709561740b02"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE invoices ADD COLUMN created_by bigint NOT NULL")


def downgrade():
    op.execute("ALTER TABLE invoices DROP COLUMN created_by")
