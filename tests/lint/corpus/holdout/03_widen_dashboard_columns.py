"""Widen dashboards.dashboard_title, css and position fields

Revision ID: 4ce8df208545
Revises: 55e910a74826
Create Date: 2022-06-27 14:58:10.339418

"""

import sqlalchemy as sa
from alembic import op

# expect: none

revision = "4ce8df208545"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column(
        "dashboards",
        "dashboard_title",
        existing_type=sa.VARCHAR(length=250),
        type_=sa.String(length=500),
        existing_nullable=True,
    )
    op.alter_column(
        "dashboards",
        "slug",
        existing_type=sa.VARCHAR(length=255),
        type_=sa.Text(),
        existing_nullable=True,
    )
    op.alter_column(
        "dashboards",
        "position_weight",
        existing_type=sa.Numeric(precision=10, scale=2),
        type_=sa.Numeric(precision=14, scale=2),
        existing_nullable=True,
    )


def downgrade():
    op.alter_column(
        "dashboards",
        "position_weight",
        existing_type=sa.Numeric(precision=14, scale=2),
        type_=sa.Numeric(precision=10, scale=2),
        existing_nullable=True,
    )
    op.alter_column(
        "dashboards",
        "slug",
        existing_type=sa.Text(),
        type_=sa.VARCHAR(length=255),
        existing_nullable=True,
    )
    op.alter_column(
        "dashboards",
        "dashboard_title",
        existing_type=sa.String(length=500),
        type_=sa.VARCHAR(length=250),
        existing_nullable=True,
    )
