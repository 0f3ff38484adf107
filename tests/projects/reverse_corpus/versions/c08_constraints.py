"""create/drop constraints: unique, check, foreign key (re-pointed)

Revision ID: c08
Revises: c07
"""
from alembic import op

revision = "c08"
down_revision = "c07"


def upgrade() -> None:
    op.create_unique_constraint("uq_orders_id_account", "orders", ["id", "account_id"])
    op.create_check_constraint("ck_orders_priority", "orders", "priority >= 0")
    op.drop_constraint("ck_orders_total_sane", "orders", type_="check")
    op.drop_constraint("fk_orders_account", "orders", type_="foreignkey")
    op.create_foreign_key(
        "fk_orders_account_restrict", "orders", "accounts", ["account_id"], ["id"],
        ondelete="RESTRICT",
    )


def downgrade() -> None:
    pass
