"""Audit order changes with a trigger

Revision ID: 6d6b4119dffc
Revises:
Create Date: 2026-11-11 10:34:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: missing-downgrade

revision = "6d6b4119dffc"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        """
        CREATE FUNCTION orders_audit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO orders_history SELECT NEW.*;
            RETURN NEW;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER orders_audit AFTER UPDATE ON orders "
        "FOR EACH ROW EXECUTE FUNCTION orders_audit()"
    )


def downgrade():
    pass
