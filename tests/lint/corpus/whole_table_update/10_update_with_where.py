"""Fix the currency of the test accounts

Revision ID: 84ff190d5ff7
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "84ff190d5ff7"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE accounts SET currency = 'EUR' WHERE id IN (17, 18, 19)")


def downgrade():
    op.execute("UPDATE accounts SET currency = 'USD' WHERE id IN (17, 18, 19)")
