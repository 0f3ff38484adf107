"""Build report_totals through a scratch table

Revision ID: 9f1fd5c6070f
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "9f1fd5c6070f"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_scratch",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("total", sa.Numeric(14, 2)),
    )
    op.create_table(
        "report_totals",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("total", sa.Numeric(14, 2)),
    )
    op.execute("INSERT INTO report_totals SELECT day, total FROM report_scratch")
    op.drop_table("report_scratch")


def downgrade():
    op.drop_table("report_totals")
