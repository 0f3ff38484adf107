"""Add the address columns

Revision ID: ac9f20f5d3a7
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "ac9f20f5d3a7"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    for name in ["street", "city", "postcode"]:
        op.add_column("addresses", sa.Column(name, sa.String(length=100), nullable=True))


def downgrade():
    for name in ["postcode", "city", "street"]:
        op.drop_column("addresses", name)
