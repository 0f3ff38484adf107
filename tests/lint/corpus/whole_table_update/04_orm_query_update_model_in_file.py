"""Reset every user's onboarding step

Revision ID: b7574022f588
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session, declarative_base

# expect: whole-table-update

# revision identifiers, used by Alembic.
revision = "b7574022f588"
down_revision = None
branch_labels = None
depends_on = None

Base = declarative_base()


class User(Base):
    __tablename__ = "users"

    id = sa.Column(sa.Integer, primary_key=True)
    onboarding_step = sa.Column(sa.Integer)


def upgrade():
    session = Session(bind=op.get_bind())
    session.query(User).update({User.onboarding_step: 0}, synchronize_session=False)
    session.commit()


def downgrade():
    op.execute("SELECT 1")
