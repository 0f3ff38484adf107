"""Delete the seed admin user

Revision ID: d9f7839f38c0
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session, declarative_base

# expect: none

# revision identifiers, used by Alembic.
revision = "d9f7839f38c0"
down_revision = None
branch_labels = None
depends_on = None

Base = declarative_base()


class Account(Base):
    __tablename__ = "accounts"

    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String)


def upgrade():
    session = Session(bind=op.get_bind())
    session.query(Account).filter_by(email="seed-admin@example.invalid").delete()


def downgrade():
    session = Session(bind=op.get_bind())
    session.add(Account(email="seed-admin@example.invalid"))
    session.flush()
