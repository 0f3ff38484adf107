"""seed admin

Revision ID: gen0003
Revises: gen0002
Create Date: 2025-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'gen0003'
down_revision: Union[str, Sequence[str], None] = 'gen0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # On PostgreSQL, record which session ran the migration (migsafe's, or env.py's own).
    if op.get_bind().dialect.name == "postgresql":
        who = "current_setting('application_name')"
    else:
        who = "'admin@example.com'"
    op.execute(f"INSERT INTO users (id, name, email) VALUES (1, 'admin', {who})")


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("DELETE FROM users WHERE id = 1")
