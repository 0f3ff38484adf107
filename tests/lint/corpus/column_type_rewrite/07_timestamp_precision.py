"""Keep microseconds on events.created_at

Revision ID: 9c97dccae241
Revises:
Create Date: 2026-10-18 09:45:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# expect: none

# revision identifiers, used by Alembic.
revision = "9c97dccae241"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # timestamp(3) -> timestamp(6): a wider precision is a no-op length coercion (no rewrite).
    op.alter_column(
        "events",
        "created_at",
        existing_type=postgresql.TIMESTAMP(precision=3),
        type_=postgresql.TIMESTAMP(precision=6),
        existing_nullable=False,
    )


def downgrade():
    op.alter_column(
        "events",
        "created_at",
        existing_type=postgresql.TIMESTAMP(precision=6),
        type_=postgresql.TIMESTAMP(precision=3),
    )
