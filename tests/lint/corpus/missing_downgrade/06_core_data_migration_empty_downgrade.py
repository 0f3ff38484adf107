"""Mark dormant accounts

Revision ID: d37703fdd11a
Revises:
Create Date: 2026-11-12 10:21:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

revision = "d37703fdd11a"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    accounts = sa.table(
        "accounts", sa.column("dormant", sa.Boolean), sa.column("last_login", sa.DateTime)
    )
    conn = op.get_bind()
    conn.execute(
        sa.update(accounts)
        .where(accounts.c.last_login < sa.text("now() - interval '2 years'"))
        .values(dormant=True)
    )


def downgrade():
    pass
