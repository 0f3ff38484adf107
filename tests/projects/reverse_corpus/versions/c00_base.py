"""base schema the corpus changes (seeded by the tests, not here)

Revision ID: c00
Revises:
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "c00"
down_revision = None


def upgrade() -> None:
    mood = postgresql.ENUM("sad", "ok", "happy", name="mood", create_type=False)
    op.execute("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')")
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, sa.Identity(always=False), primary_key=True),
        sa.Column("email", sa.Text, nullable=False, unique=True),
        sa.Column("name", sa.String(100)),
        sa.Column("bio", sa.Text),
        sa.Column("tags", postgresql.ARRAY(sa.Text)),
        sa.Column("prefs", postgresql.JSONB),
        sa.Column("mood", mood),
        sa.Column("balance", sa.Numeric(12, 2), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("legacy_code", sa.String(20), comment="code from the old system"),
        sa.Column("status", sa.String(20), server_default="active"),
        comment="customer accounts",
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "account_id",
            sa.Integer,
            sa.ForeignKey("accounts.id", ondelete="CASCADE", name="fk_orders_account"),
            nullable=False,
        ),
        sa.Column("total", sa.Numeric(10, 2), nullable=False),
        sa.Column("state", sa.String(20), server_default="new"),
        sa.Column("items", postgresql.JSON),
        sa.Column("placed_at", sa.DateTime),
        sa.CheckConstraint("total > -1000000", name="ck_orders_total_sane"),
    )
    op.create_index("ix_orders_account", "orders", ["account_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id", name="fk_audit_account")),
        sa.Column("payload", sa.Text),
        sa.Column("at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_audit_at", "audit_log", ["at"])
    op.create_table(
        "old_names",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("label", sa.Text),
    )
    op.create_table(
        "countries",
        sa.Column("code", sa.String(2), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("countries", "old_names", "audit_log", "orders", "accounts"):
        op.drop_table(table)
    op.execute("DROP TYPE mood")
