"""Disable the feature for blocked tenants

Revision ID: c55b3c0abd29
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "c55b3c0abd29"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    blocked = []
    for row in conn.execute(sa.text("SELECT id FROM tenants WHERE blocked")):
        blocked.append(row.id)
    # One statement for all of them, not one per row.
    conn.execute(
        sa.text("UPDATE tenants SET beta = false WHERE id = ANY(:ids)"),
        {"ids": blocked},
    )


def downgrade():
    op.execute("SELECT 1")  # beta stays off for blocked tenants
