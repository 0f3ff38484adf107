"""Payments must have a positive amount

Revision ID: 17dd97c36a46
Revises:
Create Date: 2026-11-27 22:46:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "17dd97c36a46"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.create_check_constraint(
            "ck_payments_amount_positive",
            "payments",
            "amount > 0",
            postgresql_not_valid=True,
        )
    # VALIDATE scans under SHARE UPDATE EXCLUSIVE: reads and writes go on.
    op.execute("ALTER TABLE payments VALIDATE CONSTRAINT ck_payments_amount_positive")


def downgrade():
    op.drop_constraint("ck_payments_amount_positive", "payments", type_="check")
