"""Export and drop legacy coupons

Revision ID: 5eb0144a6323
Revises:
Create Date: 2026-11-18 10:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: missing-downgrade

revision = "5eb0144a6323"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT code, value FROM coupons WHERE legacy")).fetchall()
    with open("/var/backups/legacy_coupons.csv", "w") as out:
        for code, value in rows:
            out.write(f"{code},{value}\n")
    op.execute("DELETE FROM coupons WHERE legacy")


def downgrade():
    pass
