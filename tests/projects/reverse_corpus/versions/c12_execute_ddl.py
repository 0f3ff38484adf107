"""execute: raw DDL (schema, sequence, view, column, index), one and several per call

Revision ID: c12
Revises: c11
"""
from alembic import op

revision = "c12"
down_revision = "c11"


def upgrade() -> None:
    op.execute("CREATE SCHEMA reporting")
    op.execute("CREATE SEQUENCE invoice_no START 1000")
    op.execute(
        "CREATE VIEW reporting.big_orders AS SELECT id, account_id, total FROM orders "
        "WHERE total > 100"
    )
    op.execute(
        "ALTER TABLE accounts ADD COLUMN vip boolean NOT NULL DEFAULT false; "
        "CREATE INDEX ix_accounts_vip ON accounts (vip) WHERE vip"
    )
    op.execute("COMMENT ON COLUMN orders.total IS 'in whole currency units'")


def downgrade() -> None:
    pass
