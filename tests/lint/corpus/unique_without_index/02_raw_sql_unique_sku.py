"""SKUs are unique per tenant

Revision ID: 62708c394986
Revises:
Create Date: 2026-03-23 14:14:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: unique-without-index

# revision identifiers, used by Alembic.
revision = "62708c394986"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE products ADD CONSTRAINT uq_products_tenant_sku UNIQUE (tenant_id, sku)")


def downgrade():
    op.execute("ALTER TABLE products DROP CONSTRAINT uq_products_tenant_sku")
