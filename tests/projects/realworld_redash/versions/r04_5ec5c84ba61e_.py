"""Add Query.search_vector field for full text search.

Revision ID: 5ec5c84ba61e
Revises: 7671dca4e604
Create Date: 2017-10-17 18:21:00.174015

Reduced: sqlalchemy_utils' TSVectorType is PostgreSQL's TSVECTOR (inlined); the
sqlalchemy_searchable trigger (``ss.sync_trigger``, ``ss.drop_trigger``) is left out, and
with it 6b5be7e0a0ef, which only re-creates that trigger (969126bd800f now revises this).
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


class su:  # sqlalchemy_utils, inlined
    TSVectorType = postgresql.TSVECTOR


# revision identifiers, used by Alembic.
revision = "5ec5c84ba61e"
down_revision = "7671dca4e604"
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    op.add_column("queries", sa.Column("search_vector", su.TSVectorType()))
    op.create_index(
        "ix_queries_search_vector",
        "queries",
        ["search_vector"],
        unique=False,
        postgresql_using="gin",
    )


def downgrade():
    conn = op.get_bind()

    op.drop_index("ix_queries_search_vector", table_name="queries")
    op.drop_column("queries", "search_vector")
