"""Add account.public_id

Revision ID: 7b9d1f3a5c08
Revises: 2a4c6e8b0d93
Create Date: 2024-09-03 15:51:29.760384

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# expect: volatile-default

revision = "7b9d1f3a5c08"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "account",
        sa.Column(
            "public_id",
            postgresql.UUID(as_uuid=True),
            server_default=sa.text("gen_random_uuid()"),
            nullable=False,
        ),
    )
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_account_public_id",
            "account",
            ["public_id"],
            unique=True,
            postgresql_concurrently=True,
        )


def downgrade():
    op.drop_index("ix_account_public_id", table_name="account")
    op.drop_column("account", "public_id")
