"""Add slug to organization

Revision ID: 3d5f8a9e0b12
Revises: 6b1e2c7d4f88
Create Date: 2023-05-08 16:33:09.456201

"""

import sqlalchemy as sa
from alembic import op

# expect: add-required-column, index-not-concurrent

revision = "3d5f8a9e0b12"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("organization", sa.Column("slug", sa.String(length=50), nullable=False))
    op.create_index(op.f("ix_organization_slug"), "organization", ["slug"], unique=True)


def downgrade():
    op.drop_index(op.f("ix_organization_slug"), table_name="organization")
    op.drop_column("organization", "slug")
