"""backfill tickets with the ORM

Revision ID: oe0002
Revises: oe0001
Create Date: 2025-01-02 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy import orm


# revision identifiers, used by Alembic.
revision: str = 'oe0002'
down_revision: Union[str, Sequence[str], None] = 'oe0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


class Base(orm.DeclarativeBase):
    pass


class Ticket(Base):
    __tablename__ = "tickets"
    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    title: orm.Mapped[str] = orm.mapped_column(sa.String(50))
    status: orm.Mapped[str] = orm.mapped_column(
        sa.Enum("open", "closed", name="ticket_status", create_type=False)
    )


def upgrade() -> None:
    """Upgrade schema."""
    # The common data-migration shape: an ORM Session on the migration's connection, and a
    # commit() that (SQLAlchemy 2's join_transaction_mode) does not end that transaction.
    session = orm.Session(bind=op.get_bind())
    session.add_all([Ticket(id=1, title="first", status="open"), Ticket(id=2, title="second", status="closed")])
    session.commit()


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("DELETE FROM tickets WHERE id IN (1, 2)")
