"""Create the report_runs table

Revision ID: d2ed11b774d5
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "d2ed11b774d5"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_runs",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    op.execute("TRUNCATE report_runs")
    op.drop_table("report_runs")
