"""Create the audit entries table

Revision ID: 1fd172193808
Revises:
Create Date: 2026-09-21 08:08:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "1fd172193808"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
    )
    op.create_primary_key("audit_entries_pkey", "audit_entries", ["id"])


def downgrade():
    op.drop_table("audit_entries")
