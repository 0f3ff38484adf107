"""Redash's schema before its first Alembic revision (redash/models.py, late 2016), as tables

Revision ID: r00_initial
Revises:
The base every Redash revision upgrades from, reduced to the tables and columns the chain
touches; the tests seed it.
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "r00_initial"
down_revision = None
branch_labels = None
depends_on = None


def _stamps():
    return [
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    ]


def upgrade():
    op.create_table(
        "organizations",
        *_stamps(),
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("slug", sa.String(255), nullable=False, unique=True),
        sa.Column("settings", sa.Text(), nullable=False),
    )
    op.create_table(
        "users",
        *_stamps(),
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("name", sa.String(320), nullable=False),
        sa.Column("email", sa.String(255), nullable=False),
        sa.Column("password_hash", sa.String(128), nullable=True),
        sa.Column("groups", postgresql.ARRAY(sa.Integer()), nullable=True),
        sa.Column("api_key", sa.String(40), nullable=False, unique=True),
        sa.UniqueConstraint("email", "org_id", name="users_org_id_email"),
    )
    op.create_table(
        "queries",
        *_stamps(),
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("latest_query_data_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.String(4096), nullable=True),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("query_hash", sa.String(32), nullable=False),
        sa.Column("api_key", sa.String(40), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("is_archived", sa.Boolean(), nullable=False, index=True),
        sa.Column("schedule", sa.String(10), nullable=True),
        sa.Column("options", sa.Text(), nullable=False),
    )
    op.create_table(
        "query_results",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("query_hash", sa.String(32), nullable=False, index=True),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("runtime", postgresql.DOUBLE_PRECISION(), nullable=False),
        sa.Column("retrieved_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "dashboards",
        *_stamps(),
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("slug", sa.String(140), nullable=False, index=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("layout", sa.Text(), nullable=False),
        sa.Column("dashboard_filters_enabled", sa.Boolean(), nullable=False),
        sa.Column("is_archived", sa.Boolean(), nullable=False, index=True),
        sa.Column("options", postgresql.JSON(astext_type=sa.Text()), nullable=False,
                  server_default="{}"),
    )
    op.create_table(
        "visualizations",
        *_stamps(),
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("query_id", sa.Integer(), sa.ForeignKey("queries.id"), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.String(4096), nullable=True),
        sa.Column("options", sa.Text(), nullable=False),
    )
    op.create_table(
        "widgets",
        *_stamps(),
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("visualization_id", sa.Integer(), sa.ForeignKey("visualizations.id"), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("dashboard_id", sa.Integer(), sa.ForeignKey("dashboards.id"), nullable=False, index=True),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("action", sa.String(255), nullable=False),
        sa.Column("object_type", sa.String(255), nullable=False),
        sa.Column("object_id", sa.String(255), nullable=True),
        sa.Column("additional_properties", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "alerts",
        *_stamps(),
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("query_id", sa.Integer(), sa.ForeignKey("queries.id"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("options", postgresql.JSON(astext_type=sa.Text()), nullable=False),
        sa.Column("state", sa.String(255), nullable=False),
        sa.Column("last_triggered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rearm", sa.Integer(), nullable=True),
    )
    op.create_table(
        "changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("object_type", sa.String(255), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("object_version", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("change", postgresql.JSON(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade():
    for name in ("changes", "alerts", "events", "widgets", "visualizations", "dashboards",
                 "query_results", "queries", "users", "organizations"):
        op.drop_table(name)
