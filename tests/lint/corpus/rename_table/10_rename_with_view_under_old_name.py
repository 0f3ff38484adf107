"""Rename customers to clients, keep a view

Revision ID: baf5fe82b8c8
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "baf5fe82b8c8"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.rename_table("customers", "clients")
    # The running release keeps reading and writing "customers" through an updatable view.
    op.execute("CREATE VIEW customers AS SELECT * FROM clients")


def downgrade():
    op.execute("DROP VIEW customers")
    op.rename_table("clients", "customers")
