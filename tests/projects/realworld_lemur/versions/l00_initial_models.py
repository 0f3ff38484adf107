"""Lemur's schema before 33de094da890 (lemur/models.py and friends, late 2015), as tables

Revision ID: l00_initial
Revises:
The base the Lemur revisions upgrade from, reduced to the tables and columns the chain
touches; the tests seed it.
"""
import sqlalchemy as sa
from alembic import op

revision = "l00_initial"
down_revision = None
branch_labels = None
depends_on = None


def _association(name, left, right):
    op.create_table(
        name,
        sa.Column(f"{left}_id", sa.Integer(), sa.ForeignKey(f"{left}s.id", ondelete="cascade")),
        sa.Column("certificate_id", sa.Integer(), sa.ForeignKey("certificates.id", ondelete="cascade")),
    )


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(255), nullable=False, unique=True),
        sa.Column("password", sa.String(128)),
        sa.Column("active", sa.Boolean()),
        sa.Column("email", sa.String(128), unique=True),
    )
    op.create_table(
        "authorities",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("name", sa.String(128), unique=True),
        sa.Column("body", sa.Text()),
        sa.Column("chain", sa.Text()),
        sa.Column("bits", sa.Integer()),
        sa.Column("cn", sa.String(128)),
        sa.Column("not_before", sa.DateTime()),
        sa.Column("not_after", sa.DateTime()),
        sa.Column("active", sa.Boolean(), server_default=sa.true()),
        sa.Column("date_created", sa.DateTime(), server_default=sa.text("now()"), nullable=False),
        sa.Column("plugin_name", sa.String(64)),
        sa.Column("description", sa.Text()),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id")),
    )
    op.create_table(
        "roles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(128), unique=True),
        sa.Column("username", sa.String(128)),
        sa.Column("password", sa.String(128)),
        sa.Column("description", sa.Text()),
        sa.Column("authority_id", sa.Integer(), sa.ForeignKey("authorities.id")),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id")),
    )
    op.create_table(
        "roles_users",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id")),
        sa.Column("role_id", sa.Integer(), sa.ForeignKey("roles.id")),
    )
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("body", sa.Text()),
        sa.Column("private_key", sa.Text()),
        sa.Column("status", sa.String(128)),
        sa.Column("deleted", sa.Boolean(), index=True),
        sa.Column("name", sa.String(128)),
        sa.Column("chain", sa.Text()),
        sa.Column("bits", sa.Integer()),
        sa.Column("issuer", sa.String(128)),
        sa.Column("serial", sa.String(128)),
        sa.Column("cn", sa.String(128)),
        sa.Column("description", sa.String(1024)),
        sa.Column("active", sa.Boolean(), server_default=sa.true()),
        sa.Column("san", sa.String(1024)),
        sa.Column("not_before", sa.DateTime()),
        sa.Column("not_after", sa.DateTime()),
        sa.Column("date_created", sa.DateTime(), server_default=sa.text("now()"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id")),
        sa.Column("authority_id", sa.Integer(), sa.ForeignKey("authorities.id")),
    )
    op.create_table(
        "domains",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(256)),
    )
    op.create_table(
        "certificate_associations",
        sa.Column("domain_id", sa.Integer(), sa.ForeignKey("domains.id")),
        sa.Column("certificate_id", sa.Integer(), sa.ForeignKey("certificates.id")),
    )
    for plural in ("destinations", "notifications", "sources"):
        op.create_table(
            plural,
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("label", sa.String(32)),
            sa.Column("options", sa.Text()),
            sa.Column("description", sa.Text()),
            sa.Column("plugin_name", sa.String(32)),
        )
    _association("certificate_destination_associations", "destination", "certificates")
    _association("certificate_notification_associations", "notification", "certificates")
    _association("certificate_source_associations", "source", "certificates")


def downgrade():
    for name in (
        "certificate_source_associations", "certificate_notification_associations",
        "certificate_destination_associations", "sources", "notifications", "destinations",
        "certificate_associations", "domains", "certificates", "roles_users", "roles",
        "authorities", "users",
    ):
        op.drop_table(name)
