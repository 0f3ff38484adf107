"""Rename order statuses

Revision ID: 0a06d04214bd
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "0a06d04214bd"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    renames = {"new": "pending", "done": "fulfilled"}
    for old, new in renames.items():
        op.execute(
            sa.text("UPDATE orders SET status = :new WHERE status = :old").bindparams(
                new=new, old=old
            )
        )


def downgrade():
    for old, new in {"pending": "new", "fulfilled": "done"}.items():
        op.execute(
            sa.text("UPDATE orders SET status = :new WHERE status = :old").bindparams(
                new=new, old=old
            )
        )
