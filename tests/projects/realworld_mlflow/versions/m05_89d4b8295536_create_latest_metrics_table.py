"""create latest metrics table

Revision ID: 89d4b8295536
Revises: 7ac759974ad8
Create Date: 2019-08-20 11:53:28.178479

Reduced: mlflow's ORM models (SqlMetric, SqlLatestMetric) are replaced by table constructs;
the session, its queries, the create_table and the insert of the computed rows are kept.
"""
import logging

import sqlalchemy as sa
from alembic import op
from sqlalchemy import orm, func, and_
from sqlalchemy import (
    Column, String, ForeignKey, Float,
    BigInteger, PrimaryKeyConstraint, Boolean)

_logger = logging.getLogger(__name__)
_logger.setLevel(logging.INFO)

# revision identifiers, used by Alembic.
revision = '89d4b8295536'
down_revision = '7ac759974ad8'
branch_labels = None
depends_on = None

SqlMetric = sa.table(
    "metrics", sa.column("key"), sa.column("value"), sa.column("timestamp"),
    sa.column("step"), sa.column("is_nan"), sa.column("run_uuid"),
)
SqlLatestMetric = sa.table(
    "latest_metrics", sa.column("key"), sa.column("value"), sa.column("timestamp"),
    sa.column("step"), sa.column("is_nan"), sa.column("run_uuid"),
)


def _get_latest_metrics_for_runs(session):
    m = SqlMetric.c
    metrics_with_max_step = sa.select(m.run_uuid, m.key, func.max(m.step).label('step')) \
        .group_by(m.key, m.run_uuid) \
        .subquery('metrics_with_max_step')
    metrics_with_max_timestamp = sa.select(
        m.run_uuid, m.key, m.step, func.max(m.timestamp).label('timestamp')) \
        .join(metrics_with_max_step,
              and_(m.step == metrics_with_max_step.c.step,
                   m.run_uuid == metrics_with_max_step.c.run_uuid,
                   m.key == metrics_with_max_step.c.key)) \
        .group_by(m.key, m.run_uuid, m.step) \
        .subquery('metrics_with_max_timestamp')
    metrics_with_max_value = sa.select(
        m.run_uuid, m.key, m.step, m.timestamp, func.max(m.value).label('value'), m.is_nan) \
        .join(metrics_with_max_timestamp,
              and_(m.timestamp == metrics_with_max_timestamp.c.timestamp,
                   m.run_uuid == metrics_with_max_timestamp.c.run_uuid,
                   m.key == metrics_with_max_timestamp.c.key,
                   m.step == metrics_with_max_timestamp.c.step)) \
        .group_by(m.run_uuid, m.key, m.step, m.timestamp, m.is_nan)
    return session.execute(metrics_with_max_value).all()


def upgrade():
    bind = op.get_bind()
    session = orm.Session(bind=bind)

    all_latest_metrics = _get_latest_metrics_for_runs(session=session)

    op.create_table('latest_metrics',
        Column('key', String(length=250)),
        Column('value', Float(precision=53), nullable=False),
        Column('timestamp', BigInteger, nullable=False),
        Column('step', BigInteger, default=0, nullable=False),
        Column('is_nan', Boolean, default=False, nullable=False),
        Column('run_uuid', String(length=32), ForeignKey('runs.run_uuid'), nullable=False),
        PrimaryKeyConstraint('key', 'run_uuid', name='latest_metric_pk')
    )

    rows = [
        dict(run_uuid=run_uuid, key=key, step=step, timestamp=timestamp, value=value,
             is_nan=is_nan)
        for run_uuid, key, step, timestamp, value, is_nan in all_latest_metrics
    ]
    if rows:
        session.execute(SqlLatestMetric.insert(), rows)
    session.commit()

    _logger.info("Migration complete!")


def downgrade():
    op.drop_table('latest_metrics')
