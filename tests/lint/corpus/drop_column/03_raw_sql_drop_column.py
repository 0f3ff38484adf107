"""Drop products.old_price

Revision ID: 3bbc3678b661
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: drop-column

# revision identifiers, used by Alembic.
revision = "3bbc3678b661"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE products DROP COLUMN IF EXISTS old_price")


def downgrade():
    op.execute("ALTER TABLE products ADD COLUMN old_price numeric(12, 2)")
