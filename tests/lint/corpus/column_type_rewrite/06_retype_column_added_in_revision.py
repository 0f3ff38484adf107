"""Add invoices.external_ref and settle its type

Revision ID: 375f132b5dc4
Revises:
Create Date: 2026-01-09 12:36:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: column-type-rewrite

# revision identifiers, used by Alembic.
revision = "375f132b5dc4"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("invoices", sa.Column("external_ref", sa.Integer(), nullable=True))
    # The column is new but invoices is not: integer -> varchar rewrites every row of invoices,
    # even though the column is all NULL.
    op.alter_column(
        "invoices",
        "external_ref",
        type_=sa.String(length=40),
    )


def downgrade():
    op.drop_column("invoices", "external_ref")
