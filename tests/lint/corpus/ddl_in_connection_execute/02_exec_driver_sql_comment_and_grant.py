"""Document and expose the orders table

Revision ID: 2bb68ade58e8
Revises:
Create Date: 2026-11-10 10:36:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: ddl-in-connection-execute

revision = "2bb68ade58e8"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    conn.exec_driver_sql("COMMENT ON TABLE orders IS 'one row per checkout'")
    conn.exec_driver_sql("GRANT SELECT ON orders TO reporting")


def downgrade():
    op.execute("REVOKE SELECT ON orders FROM reporting")
    op.execute("COMMENT ON TABLE orders IS NULL")
