"""drop_index and create_index: unique, partial, expression

Revision ID: c07
Revises: c06
"""
import sqlalchemy as sa
from alembic import op

revision = "c07"
down_revision = "c06"


def upgrade() -> None:
    op.drop_index("ix_orders_account", table_name="orders")
    op.create_index(
        "ix_orders_open", "orders", ["state"], postgresql_where=sa.text("state <> 'done'")
    )
    op.create_index("ix_accounts_lower_email", "accounts", [sa.text("lower(email)")])
    op.create_index("ux_countries_name", "countries", ["name"], unique=True)


def downgrade() -> None:
    pass
