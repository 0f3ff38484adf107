"""Add status to invoices and backfill it

Revision ID: 92bc4986af14
Revises:
Create Date: 2026-11-10 10:38:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

revision = "92bc4986af14"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("invoices", sa.Column("status", sa.Text(), nullable=True))
    op.create_index("ix_invoices_status", "invoices", ["status"], postgresql_concurrently=True)
    op.execute("UPDATE invoices SET status = 'paid' WHERE paid_at IS NOT NULL")
    op.execute("ALTER TABLE invoices ADD CONSTRAINT ck_status CHECK (status <> '') NOT VALID")


def downgrade():
    pass
