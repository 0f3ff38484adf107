"""Index shipments by carrier

Revision ID: 637830c78f84
Revises:
Create Date: 2026-01-09 12:36:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: index-not-concurrent

# revision identifiers, used by Alembic.
revision = "637830c78f84"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("shipments") as batch_op:
        batch_op.create_index("ix_shipments_carrier", ["carrier"])


def downgrade():
    with op.batch_alter_table("shipments") as batch_op:
        batch_op.drop_index("ix_shipments_carrier")
