"""driver-specific SQL, as a project on asyncpg writes it

Revision ID: as0003
Revises: as0002
Create Date: 2025-01-03 00:00:00.000000

"""
import os
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'as0003'
down_revision: Union[str, Sequence[str], None] = 'as0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    bind = op.get_bind()
    # asyncpg's SQL: a literal % (psycopg would read a placeholder there) and $1 parameters.
    name = bind.exec_driver_sql("SELECT format('%I', $1::text)", ("audit log",)).scalar()
    bind.exec_driver_sql("INSERT INTO events (id, kind) VALUES ($1, $2)", (3, name))
    bind.exec_driver_sql(
        "INSERT INTO events (id, kind) VALUES ($1, $2)", (4, bind.dialect.driver)
    )
    if os.environ.get("ASYNC_ENV_FAIL"):
        raise RuntimeError("injected failure after the driver's own SQL")


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("DELETE FROM events WHERE id IN (3, 4)")
