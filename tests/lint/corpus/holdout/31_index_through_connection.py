"""Index audit_log.created_at

Revision ID: 5f7b9d1e3a64
Revises: 0e2a4c6b8d17
Create Date: 2023-04-11 21:18:26.904735

"""

import sqlalchemy as sa
from alembic import op

# expect: ddl-in-connection-execute, index-not-concurrent

revision = "5f7b9d1e3a64"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    conn.execute(
        sa.text("CREATE INDEX IF NOT EXISTS ix_audit_log_created_at ON audit_log (created_at)")
    )


def downgrade():
    op.execute("DROP INDEX IF EXISTS ix_audit_log_created_at")
