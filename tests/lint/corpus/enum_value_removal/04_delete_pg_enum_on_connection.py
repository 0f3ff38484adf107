"""Clean up unused invoice kinds

Revision ID: 7ed745cb2091
Revises:
Create Date: 2026-11-05 10:29:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: enum-value-removal

revision = "7ed745cb2091"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    conn.execute(
        sa.text(
            "DELETE FROM pg_catalog.pg_enum WHERE enumtypid = 'invoice_kind'::regtype "
            "AND enumlabel IN ('proforma', 'draft')"
        )
    )


def downgrade():
    with op.get_context().autocommit_block():
        op.execute("ALTER TYPE invoice_kind ADD VALUE IF NOT EXISTS 'proforma'")
        op.execute("ALTER TYPE invoice_kind ADD VALUE IF NOT EXISTS 'draft'")
