"""Load the postcode lookup

Revision ID: e0f18f286ec4
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "e0f18f286ec4"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "postcode_lookup",
        sa.Column("postcode", sa.String(10), primary_key=True),
        sa.Column("region", sa.String(40), nullable=False),
    )
    op.execute("INSERT INTO postcode_lookup VALUES ('00000', 'placeholder')")
    op.execute("TRUNCATE postcode_lookup")


def downgrade():
    op.drop_table("postcode_lookup")
