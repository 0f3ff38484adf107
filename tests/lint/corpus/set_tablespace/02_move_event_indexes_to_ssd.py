"""Put the hot event indexes on the SSD tablespace

Revision ID: 211eb99dd7ec
Revises:
Create Date: 2026-05-25 04:16:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: set-tablespace

# revision identifiers, used by Alembic.
revision = "211eb99dd7ec"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    for index in ("ix_events_created_at", "ix_events_account_id"):
        op.execute(f"ALTER INDEX {index} SET TABLESPACE fast_ssd")


def downgrade():
    for index in ("ix_events_created_at", "ix_events_account_id"):
        op.execute(f"ALTER INDEX {index} SET TABLESPACE pg_default")
