"""Stage country codes

Revision ID: cafbbfe28b80
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "cafbbfe28b80"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "country_stage",
        sa.Column("code", sa.String(2), primary_key=True),
        sa.Column("name", sa.String(80)),
    )
    op.execute("INSERT INTO country_stage (code, name) VALUES ('XX', 'placeholder')")
    op.execute("DELETE FROM country_stage")


def downgrade():
    op.drop_table("country_stage")
