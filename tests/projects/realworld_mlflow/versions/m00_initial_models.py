"""MLflow's initial schema (mlflow/store/db_migrations/initial_models.py), as tables

Revision ID: m00_initial
Revises:
The base every MLflow revision upgrades from; the tests seed it with runs and metrics.
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Integer,
    PrimaryKeyConstraint,
    String,
)

revision = "m00_initial"
down_revision = None
branch_labels = None
depends_on = None

SourceTypes = ["NOTEBOOK", "JOB", "LOCAL", "UNKNOWN", "PROJECT"]
RunStatusTypes = ["SCHEDULED", "FAILED", "FINISHED", "RUNNING"]


def upgrade():
    op.create_table(
        "experiments",
        Column("experiment_id", Integer, autoincrement=True),
        Column("name", String(256), unique=True, nullable=False),
        Column("artifact_location", String(256), nullable=True),
        Column("lifecycle_stage", String(32), default="active"),
        PrimaryKeyConstraint("experiment_id", name="experiment_pk"),
        CheckConstraint(
            sa.column("lifecycle_stage").in_(["active", "deleted"]),
            name="experiments_lifecycle_stage",
        ),
    )
    op.create_table(
        "runs",
        Column("run_uuid", String(32), nullable=False),
        Column("name", String(250)),
        Column("source_type", String(20), default="LOCAL"),
        Column("source_name", String(500)),
        Column("entry_point_name", String(50)),
        Column("user_id", String(256), nullable=True, default=None),
        Column("status", String(20), default="SCHEDULED"),
        Column("start_time", BigInteger),
        Column("end_time", BigInteger, nullable=True, default=None),
        Column("source_version", String(50)),
        Column("lifecycle_stage", String(20), default="active"),
        Column("artifact_uri", String(200), default=None),
        Column("experiment_id", Integer, ForeignKey("experiments.experiment_id")),
        PrimaryKeyConstraint("run_uuid", name="run_pk"),
        CheckConstraint(sa.column("source_type").in_(SourceTypes), name="source_type"),
        CheckConstraint(sa.column("status").in_(RunStatusTypes), name="status"),
        CheckConstraint(
            sa.column("lifecycle_stage").in_(["active", "deleted"]), name="runs_lifecycle_stage"
        ),
    )
    op.create_table(
        "tags",
        Column("key", String(250)),
        Column("value", String(250), nullable=True),
        Column("run_uuid", String(32), ForeignKey("runs.run_uuid")),
        PrimaryKeyConstraint("key", "run_uuid", name="tag_pk"),
    )
    op.create_table(
        "metrics",
        Column("key", String(250)),
        Column("value", Float, nullable=False),
        Column("timestamp", BigInteger, default=0),
        Column("run_uuid", String(32), ForeignKey("runs.run_uuid")),
        PrimaryKeyConstraint("key", "timestamp", "run_uuid", "value", name="metric_pk"),
    )
    op.create_table(
        "params",
        Column("key", String(250)),
        Column("value", String(250), nullable=False),
        Column("run_uuid", String(32), ForeignKey("runs.run_uuid")),
        PrimaryKeyConstraint("key", "run_uuid", name="param_pk"),
    )


def downgrade():
    for table in ("params", "metrics", "tags", "runs", "experiments"):
        op.drop_table(table)
