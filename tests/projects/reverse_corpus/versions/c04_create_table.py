"""create_table with foreign keys, a unique and a check constraint; create_index

Revision ID: c04
Revises: c03
"""
import sqlalchemy as sa
from alembic import op

revision = "c04"
down_revision = "c03"


def upgrade() -> None:
    op.create_table(
        "shipments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("carrier", sa.String(40), nullable=False, server_default="post"),
        sa.Column("tracking", sa.Text),
        sa.Column("country", sa.String(2), sa.ForeignKey("countries.code")),
        sa.UniqueConstraint("carrier", "tracking", name="uq_shipments_tracking"),
        sa.CheckConstraint("length(carrier) > 0", name="ck_shipments_carrier"),
    )
    op.create_index("ix_shipments_order", "shipments", ["order_id"])


def downgrade() -> None:
    pass
