"""Link invoices to their billing account

Revision ID: 9c71123f0ccf
Revises:
Create Date: 2026-12-16 23:59:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: foreign-key-not-valid

# revision identifiers, used by Alembic.
revision = "9c71123f0ccf"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # Alembic renders the ForeignKey as a separate ALTER TABLE ... ADD FOREIGN KEY, which
    # PostgreSQL validates by reading all of invoices (it does not know the column is all NULL).
    op.add_column(
        "invoices",
        sa.Column(
            "billing_account_id",
            sa.BigInteger(),
            sa.ForeignKey("billing_accounts.id", name="fk_invoices_billing_account_id"),
            nullable=True,
        ),
    )


def downgrade():
    op.drop_constraint("fk_invoices_billing_account_id", "invoices", type_="foreignkey")
    op.drop_column("invoices", "billing_account_id")
