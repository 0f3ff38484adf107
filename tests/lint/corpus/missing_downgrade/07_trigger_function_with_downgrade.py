"""Audit refunds with a trigger

Revision ID: e7e6ded1be88
Revises:
Create Date: 2026-11-08 10:28:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

revision = "e7e6ded1be88"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        """
        CREATE FUNCTION refunds_audit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO refunds_history SELECT NEW.*;
            RETURN NEW;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER refunds_audit AFTER UPDATE ON refunds "
        "FOR EACH ROW EXECUTE FUNCTION refunds_audit()"
    )


def downgrade():
    op.execute("DROP TRIGGER refunds_audit ON refunds")
    op.execute("DROP FUNCTION refunds_audit()")
