"""Give every account a public id

Revision ID: e1db85ee4cbf
Revises:
Create Date: 2026-12-16 23:47:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: volatile-default, unique-without-index

# revision identifiers, used by Alembic.
revision = "e1db85ee4cbf"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "accounts",
        sa.Column(
            "public_id",
            sa.Uuid(),
            server_default=sa.text("gen_random_uuid()"),
            nullable=False,
        ),
    )
    op.create_unique_constraint("uq_accounts_public_id", "accounts", ["public_id"])


def downgrade():
    op.drop_constraint("uq_accounts_public_id", "accounts", type_="unique")
    op.drop_column("accounts", "public_id")
