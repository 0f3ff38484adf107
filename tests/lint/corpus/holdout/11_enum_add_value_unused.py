"""Add 'void' to invoicestatus

Revision ID: 0d9e3f5a1c77
Revises: 4e8b2a6d0f19
Create Date: 2024-05-02 10:44:18.305926

"""

from alembic import op

# expect: none

revision = "0d9e3f5a1c77"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TYPE invoicestatus ADD VALUE IF NOT EXISTS 'void'")


def downgrade():
    op.execute("UPDATE invoice SET status = 'draft' WHERE status = 'void'")
    op.execute("ALTER TYPE invoicestatus RENAME TO invoicestatus_old")
    op.execute("CREATE TYPE invoicestatus AS ENUM ('draft', 'open', 'paid', 'uncollectible')")
    op.execute(
        "ALTER TABLE invoice ALTER COLUMN status TYPE invoicestatus "
        "USING status::text::invoicestatus"
    )
    op.execute("DROP TYPE invoicestatus_old")
