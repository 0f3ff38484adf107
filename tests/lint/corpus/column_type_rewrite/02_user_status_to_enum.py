"""Store users.status as an enum

Revision ID: e2ef56e684c1
Revises:
Create Date: 2026-06-02 17:41:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: column-type-rewrite

# revision identifiers, used by Alembic.
revision = "e2ef56e684c1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE TYPE user_status AS ENUM ('active', 'invited', 'disabled')")
    op.alter_column(
        "users",
        "status",
        existing_type=sa.String(length=20),
        type_=sa.Enum("active", "invited", "disabled", name="user_status", create_type=False),
        postgresql_using="status::user_status",
        existing_nullable=False,
    )


def downgrade():
    op.alter_column(
        "users",
        "status",
        existing_type=sa.Enum("active", "invited", "disabled", name="user_status"),
        type_=sa.String(length=20),
        postgresql_using="status::text",
    )
    op.execute("DROP TYPE user_status")
