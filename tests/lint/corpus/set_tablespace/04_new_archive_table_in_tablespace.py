"""Create the order archive on the archive disk

Revision ID: 14aaa26d05da
Revises:
Create Date: 2026-07-23 18:54:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "14aaa26d05da"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # A new table is created directly in its tablespace: nothing to copy.
    op.create_table(
        "orders_archive",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=False),
        postgresql_tablespace="archive",
    )
    op.create_index(
        "ix_orders_archive_archived_at",
        "orders_archive",
        ["archived_at"],
        postgresql_tablespace="archive",
    )
    op.execute("ALTER TABLE orders_archive SET TABLESPACE archive")


def downgrade():
    op.drop_index("ix_orders_archive_archived_at", table_name="orders_archive")
    op.drop_table("orders_archive")
