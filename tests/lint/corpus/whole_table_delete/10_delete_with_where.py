"""Delete expired password reset tokens

Revision ID: 00a340a7dc93
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "00a340a7dc93"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM password_resets WHERE expires_at < now()")


def downgrade():
    op.execute("SELECT 1")  # expired tokens are useless
