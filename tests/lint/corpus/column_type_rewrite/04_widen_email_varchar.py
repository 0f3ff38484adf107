"""Allow longer email addresses

Revision ID: ccc115ff6d0c
Revises:
Create Date: 2026-09-25 20:44:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "ccc115ff6d0c"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # varchar(120) -> varchar(255): PostgreSQL only updates the catalog (no rewrite, no index
    # rebuild) when a varchar limit grows.
    op.alter_column(
        "users",
        "email",
        existing_type=sa.String(length=120),
        type_=sa.String(length=255),
        existing_nullable=False,
    )


def downgrade():
    op.alter_column(
        "users",
        "email",
        existing_type=sa.String(length=255),
        type_=sa.String(length=120),
        existing_nullable=False,
    )
