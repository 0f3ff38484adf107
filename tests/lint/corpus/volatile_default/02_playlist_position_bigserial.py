"""Order playlist items

Revision ID: ddf4e77e93b0
Revises:
Create Date: 2026-09-13 08:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: volatile-default

# revision identifiers, used by Alembic.
revision = "ddf4e77e93b0"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE playlist_items ADD COLUMN position bigserial")


def downgrade():
    op.execute("ALTER TABLE playlist_items DROP COLUMN position")
