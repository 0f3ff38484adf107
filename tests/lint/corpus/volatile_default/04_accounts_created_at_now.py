"""Record when accounts were created

Revision ID: 0042d9af850c
Revises:
Create Date: 2026-01-25 12:48:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "0042d9af850c"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # now() is stable: PostgreSQL 11+ evaluates it once and stores it as the missing value,
    # without touching the rows.
    op.add_column(
        "accounts",
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
    )
    op.add_column(
        "accounts",
        sa.Column("is_verified", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade():
    op.drop_column("accounts", "is_verified")
    op.drop_column("accounts", "created_at")
