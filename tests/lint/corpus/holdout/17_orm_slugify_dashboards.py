"""Populate dashboards.slug from the title

Revision ID: 7a0c2e4f6b83
Revises: c3e5a7b9d1f0
Create Date: 2021-04-20 16:48:59.207716

"""

import re

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session, declarative_base

# expect: row-by-row-data-migration

revision = "7a0c2e4f6b83"
down_revision = None
branch_labels = None
depends_on = None

Base = declarative_base()


class Dashboard(Base):
    __tablename__ = "dashboards"

    id = sa.Column(sa.Integer, primary_key=True)
    dashboard_title = sa.Column(sa.String(500))
    slug = sa.Column(sa.String(255))


def slugify(title):
    return re.sub(r"[^a-z0-9]+", "-", (title or "").lower()).strip("-")[:255]


def upgrade():
    session = Session(bind=op.get_bind())
    for dashboard in session.query(Dashboard).filter(Dashboard.slug.is_(None)):
        dashboard.slug = slugify(dashboard.dashboard_title) or f"dashboard-{dashboard.id}"
    session.commit()
    session.close()


def downgrade():
    session = Session(bind=op.get_bind())
    session.query(Dashboard).filter(Dashboard.slug.like("dashboard-%")).update(
        {Dashboard.slug: None}, synchronize_session=False
    )
    session.commit()
    session.close()
