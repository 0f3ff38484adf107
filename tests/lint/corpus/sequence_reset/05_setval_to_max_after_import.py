"""Import legacy customers and catch the sequence up

Revision ID: 2eb3b4f67e35
Revises:
Create Date: 2026-11-03 10:49:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

revision = "2eb3b4f67e35"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "INSERT INTO customers (id, email) "
        "SELECT id, email FROM legacy_customers WHERE migrated IS NOT TRUE"
    )
    op.execute("SELECT setval('customers_id_seq', (SELECT coalesce(max(id), 1) FROM customers))")


def downgrade():
    op.execute("DELETE FROM customers WHERE id IN (SELECT id FROM legacy_customers)")
