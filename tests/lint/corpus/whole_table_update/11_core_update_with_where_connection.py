"""Expire stale invites

Revision ID: cf7f1f7598be
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "cf7f1f7598be"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    invites = sa.table(
        "invites",
        sa.column("id", sa.Integer),
        sa.column("status", sa.String),
        sa.column("created_at", sa.DateTime),
    )
    conn = op.get_bind()
    conn.execute(
        sa.update(invites)
        .where(invites.c.status == "pending")
        .where(invites.c.created_at < sa.text("now() - interval '90 days'"))
        .values(status="expired")
    )


def downgrade():
    op.execute("SELECT 1")  # expired invites stay expired
