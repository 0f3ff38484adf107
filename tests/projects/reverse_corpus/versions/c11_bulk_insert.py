"""bulk_insert with explicit keys

Revision ID: c11
Revises: c10
"""
import sqlalchemy as sa
from alembic import op

revision = "c11"
down_revision = "c10"


def upgrade() -> None:
    countries = sa.table("countries", sa.column("code", sa.String), sa.column("name", sa.Text))
    op.bulk_insert(
        countries,
        [
            {"code": "zz", "name": "Zedland"},
            {"code": "yy", "name": "Ypsilon — ünïcödé"},
            {"code": "xx", "name": "Ex"},
        ],
    )


def downgrade() -> None:
    pass
