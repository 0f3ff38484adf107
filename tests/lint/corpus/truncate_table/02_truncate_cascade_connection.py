"""Reset the imports

Revision ID: e6cf878011d8
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: truncate-table

# revision identifiers, used by Alembic.
revision = "e6cf878011d8"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    conn.execute(sa.text("TRUNCATE imports CASCADE"))


def downgrade():
    op.execute("SELECT 1")  # truncated rows cannot come back
