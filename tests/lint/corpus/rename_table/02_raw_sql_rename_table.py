"""Rename app.line_items to app.order_lines

Revision ID: 2f5a9fd02a69
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: rename-table

# revision identifiers, used by Alembic.
revision = "2f5a9fd02a69"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE app.line_items RENAME TO order_lines")


def downgrade():
    op.execute("ALTER TABLE app.order_lines RENAME TO line_items")
