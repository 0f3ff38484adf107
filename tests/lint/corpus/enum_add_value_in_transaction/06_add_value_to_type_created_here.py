"""Create shipment table with carrier enum

Revision ID: ceb42925338b
Revises:
Create Date: 2026-11-07 10:39:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

revision = "ceb42925338b"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    carrier = sa.Enum("dhl", "ups", name="carrier")
    op.create_table(
        "shipments",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("carrier", carrier, nullable=False),
    )
    op.execute("ALTER TYPE carrier ADD VALUE 'fedex'")
    op.execute("INSERT INTO shipments (id, carrier) VALUES (1, 'fedex')")


def downgrade():
    op.drop_table("shipments")
    sa.Enum(name="carrier").drop(op.get_bind())
