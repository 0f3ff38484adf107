"""Move trial subscriptions to the new billing cycle

Revision ID: bd726ebd017b
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

# expect: none

# revision identifiers, used by Alembic.
revision = "bd726ebd017b"
down_revision = None
branch_labels = None
depends_on = None

class Base(DeclarativeBase):
    pass


class Subscription(Base):
    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan: Mapped[str]
    billing_cycle: Mapped[str | None]


def upgrade():
    with Session(bind=op.get_bind()) as session:
        session.execute(
            sa.update(Subscription)
            .where(Subscription.plan == "trial")
            .values(billing_cycle="monthly")
        )


def downgrade():
    with Session(bind=op.get_bind()) as session:
        session.execute(
            sa.update(Subscription)
            .where(Subscription.plan == "trial")
            .values(billing_cycle=None)
        )
