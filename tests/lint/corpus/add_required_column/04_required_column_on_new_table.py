"""Create shipments and add its carrier

Revision ID: 2d058fd22d52
Revises:
Create Date: 2026-03-19 02:50:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "2d058fd22d52"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "shipments",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
    )
    op.add_column("shipments", sa.Column("carrier", sa.Text(), nullable=False))


def downgrade():
    op.drop_table("shipments")
