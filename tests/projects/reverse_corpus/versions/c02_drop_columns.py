"""drop_column: large text, array, JSONB, an enum column, then the enum type itself

Revision ID: c02
Revises: c01
"""
from alembic import op

revision = "c02"
down_revision = "c01"


def upgrade() -> None:
    op.drop_column("accounts", "bio")
    op.drop_column("accounts", "tags")
    op.drop_column("accounts", "prefs")
    op.drop_column("accounts", "mood")
    op.execute("DROP TYPE mood")


def downgrade() -> None:
    pass
