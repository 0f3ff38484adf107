"""Split customers.full_name

Revision ID: 993b56088200
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import orm

# expect: row-by-row-data-migration

# revision identifiers, used by Alembic.
revision = "993b56088200"
down_revision = None
branch_labels = None
depends_on = None

Base = orm.declarative_base()


class Customer(Base):
    __tablename__ = "customers"

    id = sa.Column(sa.Integer, primary_key=True)
    full_name = sa.Column(sa.String)
    first_name = sa.Column(sa.String)
    last_name = sa.Column(sa.String)


def upgrade():
    op.add_column("customers", sa.Column("first_name", sa.String(), nullable=True))
    op.add_column("customers", sa.Column("last_name", sa.String(), nullable=True))
    session = orm.Session(bind=op.get_bind())
    for customer in session.query(Customer).yield_per(500):
        first, _, last = customer.full_name.partition(" ")
        customer.first_name = first
        customer.last_name = last
    session.commit()


def downgrade():
    op.drop_column("customers", "last_name")
    op.drop_column("customers", "first_name")
