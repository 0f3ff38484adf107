"""Restart invoice numbering for the new fiscal year

Revision ID: 94346288bd84
Revises:
Create Date: 2026-11-27 10:49:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: sequence-reset

revision = "94346288bd84"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER SEQUENCE invoice_number_seq RESTART WITH 1")


def downgrade():
    op.execute("SELECT setval('invoice_number_seq', (SELECT max(number) FROM invoices))")
