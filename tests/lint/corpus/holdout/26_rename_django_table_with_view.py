"""Rename accounts_customer to customer (Django port), keep the old name as a view

Revision ID: 8e0a2c4e6b95
Revises: 3f5b7d9e1a24
Create Date: 2023-06-19 17:25:38.009471

"""

from alembic import op

# expect: none

revision = "8e0a2c4e6b95"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.rename_table("accounts_customer", "customer")
    op.execute("ALTER SEQUENCE accounts_customer_id_seq RENAME TO customer_id_seq")
    op.execute("ALTER INDEX accounts_customer_pkey RENAME TO customer_pkey")
    op.execute("CREATE VIEW accounts_customer AS SELECT * FROM customer")


def downgrade():
    op.execute("DROP VIEW accounts_customer")
    op.execute("ALTER INDEX customer_pkey RENAME TO accounts_customer_pkey")
    op.execute("ALTER SEQUENCE customer_id_seq RENAME TO accounts_customer_id_seq")
    op.rename_table("customer", "accounts_customer")
