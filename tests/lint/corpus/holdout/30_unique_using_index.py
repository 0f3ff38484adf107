"""Unique email on customer, built online

Revision ID: 2d4f6b8a0c39
Revises: a9b1c3d5e7f0
Create Date: 2024-04-08 09:03:57.641280

"""

from alembic import op

# expect: none

revision = "2d4f6b8a0c39"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute(
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS uq_customer_email ON customer (email)"
        )
    op.execute(
        "ALTER TABLE customer ADD CONSTRAINT uq_customer_email UNIQUE USING INDEX uq_customer_email"
    )


def downgrade():
    op.drop_constraint("uq_customer_email", "customer", type_="unique")
