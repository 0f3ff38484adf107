"""Move every subscription to the new billing cycle

Revision ID: c73f125589b0
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

# expect: whole-table-update

# revision identifiers, used by Alembic.
revision = "c73f125589b0"
down_revision = None
branch_labels = None
depends_on = None

class Base(DeclarativeBase):
    pass


class Subscription(Base):
    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    billing_cycle: Mapped[str | None]


def upgrade():
    with Session(bind=op.get_bind()) as session:
        session.execute(
            sa.update(Subscription).values(billing_cycle="monthly"),
            execution_options={"synchronize_session": False},
        )
        session.commit()


def downgrade():
    with Session(bind=op.get_bind()) as session:
        session.execute(sa.update(Subscription).values(billing_cycle=None))
