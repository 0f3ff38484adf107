"""Add is_featured, archived_at and updated_at to report

Revision ID: 9f2c1d3b7a44
Revises: e1a6b2f9c053
Create Date: 2024-01-19 08:21:44.902113

"""

import sqlalchemy as sa
from alembic import op

# expect: none

revision = "9f2c1d3b7a44"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "report",
        sa.Column("is_featured", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        "report",
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
    )
    op.add_column(
        "report", sa.Column("retention_days", sa.Integer(), server_default="30", nullable=False)
    )
    op.add_column("report", sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column("report", "archived_at")
    op.drop_column("report", "retention_days")
    op.drop_column("report", "updated_at")
    op.drop_column("report", "is_featured")
