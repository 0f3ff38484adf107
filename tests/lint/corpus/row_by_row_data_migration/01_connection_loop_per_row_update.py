"""Fill users.slug from users.name

Revision ID: 72ef0d2b2490
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: row-by-row-data-migration

# revision identifiers, used by Alembic.
revision = "72ef0d2b2490"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("slug", sa.String(length=80), nullable=True))
    conn = op.get_bind()
    for row in conn.execute(sa.text("SELECT id, name FROM users")):
        conn.execute(
            sa.text("UPDATE users SET slug = :slug WHERE id = :id"),
            {"slug": row.name.lower().replace(" ", "-"), "id": row.id},
        )


def downgrade():
    op.drop_column("users", "slug")
