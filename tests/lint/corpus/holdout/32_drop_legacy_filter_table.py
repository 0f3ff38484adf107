"""Remove sentry_filtervalue_legacy

Revision ID: 9a1b3c5d7e80
Revises: 8f0e2d4c6b19
Create Date: 2024-10-28 14:27:13.556920

"""

import sqlalchemy as sa
from alembic import op

# expect: drop-table

revision = "9a1b3c5d7e80"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table("sentry_filtervalue_legacy")


def downgrade():
    op.create_table(
        "sentry_filtervalue_legacy",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
