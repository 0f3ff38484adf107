"""Create the API clients table

Revision ID: 459506054fcb
Revises:
Create Date: 2026-08-24 19:31:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "459506054fcb"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "api_clients",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("client_id", sa.String(length=64), nullable=False, unique=True),
        sa.Column("name", sa.Text(), nullable=False),
    )
    op.create_unique_constraint("uq_api_clients_name", "api_clients", ["name"])


def downgrade():
    op.drop_table("api_clients")
