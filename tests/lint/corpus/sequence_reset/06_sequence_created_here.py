"""Add ticket numbers from their own sequence

Revision ID: d00440802cd8
Revises:
Create Date: 2026-11-25 10:42:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

revision = "d00440802cd8"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE SEQUENCE ticket_number_seq")
    op.execute("ALTER SEQUENCE ticket_number_seq RESTART WITH 10000")
    op.execute("ALTER TABLE tickets ALTER COLUMN number SET DEFAULT nextval('ticket_number_seq')")


def downgrade():
    op.execute("ALTER TABLE tickets ALTER COLUMN number DROP DEFAULT")
    op.execute("DROP SEQUENCE ticket_number_seq")
