"""Deactivate the demo users

Revision ID: 9edd546cc20c
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session, declarative_base

# expect: none

# revision identifiers, used by Alembic.
revision = "9edd546cc20c"
down_revision = None
branch_labels = None
depends_on = None

Base = declarative_base()


class User(Base):
    __tablename__ = "users"

    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String)
    active = sa.Column(sa.Boolean)


def upgrade():
    session = Session(bind=op.get_bind())
    session.query(User).filter(User.email.like("%@demo.invalid")).update(
        {User.active: False}, synchronize_session=False
    )


def downgrade():
    session = Session(bind=op.get_bind())
    session.query(User).filter(User.email.like("%@demo.invalid")).update(
        {User.active: True}, synchronize_session=False
    )
