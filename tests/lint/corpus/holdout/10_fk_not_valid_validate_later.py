"""Add foreign key payment.invoice_id -> invoice, validated online

Revision ID: e4a1b7c9d302
Revises: 71c2d8e4a9f5
Create Date: 2024-04-22 15:12:03.870412

"""

from alembic import op

# expect: none

revision = "e4a1b7c9d302"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "ALTER TABLE payment ADD CONSTRAINT payment_invoice_id_fkey "
        "FOREIGN KEY (invoice_id) REFERENCES invoice (id) NOT VALID"
    )
    # the ADD is committed when the block starts; VALIDATE only takes SHARE UPDATE EXCLUSIVE
    with op.get_context().autocommit_block():
        op.execute("ALTER TABLE payment VALIDATE CONSTRAINT payment_invoice_id_fkey")


def downgrade():
    op.drop_constraint("payment_invoice_id_fkey", "payment", type_="foreignkey")
