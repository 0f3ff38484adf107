"""Import legacy orders and set the id sequence

Revision ID: 465d906cb56e
Revises:
Create Date: 2026-11-05 10:44:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: sequence-reset

revision = "465d906cb56e"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    conn.execute(
        sa.text(
            "INSERT INTO orders (id, customer_id, total) "
            "SELECT id, customer_id, total FROM legacy_orders WHERE imported IS NOT TRUE"
        )
    )
    conn.execute(sa.text("SELECT setval('orders_id_seq', 1, false)"))


def downgrade():
    op.execute("DELETE FROM orders WHERE id IN (SELECT id FROM legacy_orders)")
