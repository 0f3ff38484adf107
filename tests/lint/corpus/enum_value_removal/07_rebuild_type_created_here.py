"""Create review table with rating enum

Revision ID: aff09d18e141
Revises:
Create Date: 2026-11-02 10:36:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# expect: none

revision = "aff09d18e141"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE TYPE review_rating AS ENUM ('bad', 'meh', 'ok', 'good')")
    # Fixed up before release: 'meh' was never meant to ship.
    op.execute("ALTER TYPE review_rating RENAME TO review_rating_old")
    op.execute("CREATE TYPE review_rating AS ENUM ('bad', 'ok', 'good')")
    op.execute("DROP TYPE review_rating_old")
    op.create_table(
        "reviews",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("rating", postgresql.ENUM(name="review_rating", create_type=False)),
    )


def downgrade():
    op.drop_table("reviews")
    op.execute("DROP TYPE review_rating")
