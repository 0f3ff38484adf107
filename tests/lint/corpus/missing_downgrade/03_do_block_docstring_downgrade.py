"""Add created_at to every tenant table

Revision ID: 4df5b8c839c8
Revises:
Create Date: 2026-11-05 10:36:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: missing-downgrade

revision = "4df5b8c839c8"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        """
        DO $$
        DECLARE t text;
        BEGIN
            FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'tenant' LOOP
                EXECUTE format('ALTER TABLE tenant.%I ADD COLUMN IF NOT EXISTS created_at timestamptz', t);
            END LOOP;
        END
        $$
        """
    )


def downgrade():
    """Irreversible: columns were added by a DO block."""
