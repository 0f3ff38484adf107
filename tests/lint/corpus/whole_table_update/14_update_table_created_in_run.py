"""Create and seed the plans table

Revision ID: 8dc266f32ac2
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "8dc266f32ac2"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    plans = op.create_table(
        "plans",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("active", sa.Boolean, nullable=True),
    )
    op.bulk_insert(plans, [{"id": 1, "name": "free"}, {"id": 2, "name": "pro"}])
    op.execute("UPDATE plans SET active = true")


def downgrade():
    op.drop_table("plans")
