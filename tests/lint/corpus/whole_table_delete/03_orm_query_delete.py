"""Remove all notification preferences

Revision ID: 915c1279fd8f
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import orm

# expect: whole-table-delete

# revision identifiers, used by Alembic.
revision = "915c1279fd8f"
down_revision = None
branch_labels = None
depends_on = None

Base = orm.declarative_base()


class NotificationPreference(Base):
    __tablename__ = "notification_preferences"

    id = sa.Column(sa.Integer, primary_key=True)
    user_id = sa.Column(sa.Integer)


def upgrade():
    session = orm.Session(bind=op.get_bind())
    session.query(NotificationPreference).delete(synchronize_session=False)
    session.commit()


def downgrade():
    op.execute("SELECT 1")
