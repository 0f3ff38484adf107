"""Add account.plan, default everyone to free

Revision ID: d8a3e5c7b910
Revises: 64f2b0d9e1a7
Create Date: 2023-02-14 09:26:07.512398

"""

import sqlalchemy as sa
from alembic import op

# expect: whole-table-update, set-not-null

revision = "d8a3e5c7b910"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("account", sa.Column("plan", sa.String(length=32), nullable=True))
    op.execute("UPDATE account SET plan = 'free'")
    op.alter_column("account", "plan", existing_type=sa.String(length=32), nullable=False)


def downgrade():
    op.drop_column("account", "plan")
