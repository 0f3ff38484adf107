"""Prefect's schema before 22b7cb02e593 (src/prefect/server/database/orm_models.py, autumn 2022)

Revision ID: p00_initial
Revises:
The base the Prefect revisions upgrade from, reduced to the tables and columns the chain
touches, with Prefect's own types as PostgreSQL has them (UUID, TIMESTAMP WITH TIME ZONE,
JSONB); the tests seed it.
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "p00_initial"
down_revision = None
branch_labels = None
depends_on = None

STATE_TYPES = ("SCHEDULED", "PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED", "CRASHED")


def _base(table):
    return [
        sa.Column("id", postgresql.UUID(), server_default=sa.text("(GEN_RANDOM_UUID())"), nullable=False),
        sa.Column("created", sa.TIMESTAMP(timezone=True), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.Column("updated", sa.TIMESTAMP(timezone=True), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    ]


def upgrade():
    state_type = postgresql.ENUM(*STATE_TYPES, name="state_type")
    op.create_table(
        "flow",
        *_base("flow"),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("tags", postgresql.JSONB(), server_default="[]", nullable=False),
        sa.UniqueConstraint("name", name="uq_flow__name"),
    )
    op.create_index("ix_flow__updated", "flow", ["updated"])
    op.create_table(
        "work_queue",
        *_base("work_queue"),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("description", sa.String(), server_default="", nullable=False),
        sa.Column("is_paused", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("concurrency_limit", sa.Integer(), nullable=True),
        sa.UniqueConstraint("name", name="uq_work_queue__name"),
    )
    op.create_table(
        "deployment",
        *_base("deployment"),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("flow_id", postgresql.UUID(), nullable=False),
        sa.Column("work_queue_name", sa.String(), nullable=True),
        sa.Column("parameters", postgresql.JSONB(), server_default="{}", nullable=False),
        sa.ForeignKeyConstraint(["flow_id"], ["flow.id"], name="fk_deployment__flow_id__flow", ondelete="CASCADE"),
        sa.UniqueConstraint("flow_id", "name", name="uq_deployment__flow_id_name"),
    )
    op.create_table(
        "flow_run",
        *_base("flow_run"),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("flow_id", postgresql.UUID(), nullable=False),
        sa.Column("deployment_id", postgresql.UUID(), nullable=True),
        sa.Column("state_id", postgresql.UUID(), nullable=True),
        sa.Column("state_type", state_type, nullable=True),
        sa.Column("state_name", sa.String(), nullable=True),
        sa.Column("run_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("auto_scheduled", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("next_scheduled_start_time", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("work_queue_name", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["flow_id"], ["flow.id"], name="fk_flow_run__flow_id__flow", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["deployment_id"], ["deployment.id"], name="fk_flow_run__deployment_id__deployment", ondelete="SET NULL"
        ),
    )
    op.create_index("ix_flow_run__state_type", "flow_run", ["state_type"])
    op.create_table(
        "flow_run_state",
        *_base("flow_run_state"),
        sa.Column("type", postgresql.ENUM(*STATE_TYPES, name="state_type", create_type=False), nullable=False),
        sa.Column("timestamp", sa.TIMESTAMP(timezone=True), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("message", sa.String(), nullable=True),
        sa.Column("data", postgresql.JSONB(), nullable=True),
        sa.Column("flow_run_id", postgresql.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["flow_run_id"], ["flow_run.id"], name="fk_flow_run_state__flow_run_id__flow_run", ondelete="CASCADE"
        ),
    )
    op.create_index("uq_flow_run_state__flow_run_id_timestamp_desc", "flow_run_state", ["flow_run_id", sa.text("timestamp DESC")], unique=True)
    op.create_foreign_key(
        "fk_flow_run__state_id__flow_run_state", "flow_run", "flow_run_state", ["state_id"], ["id"], ondelete="SET NULL"
    )
    op.create_table(
        "task_run",
        *_base("task_run"),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("flow_run_id", postgresql.UUID(), nullable=False),
        sa.Column("task_key", sa.String(), nullable=False),
        sa.Column("dynamic_key", sa.String(), nullable=False),
        sa.Column("state_id", postgresql.UUID(), nullable=True),
        sa.Column("state_type", postgresql.ENUM(*STATE_TYPES, name="state_type", create_type=False), nullable=True),
        sa.Column("run_count", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["flow_run_id"], ["flow_run.id"], name="fk_task_run__flow_run_id__flow_run", ondelete="CASCADE"),
        sa.UniqueConstraint("flow_run_id", "task_key", "dynamic_key", name="uq_task_run__flow_run_id_task_key_dynamic_key"),
    )
    op.create_table(
        "task_run_state",
        *_base("task_run_state"),
        sa.Column("type", postgresql.ENUM(*STATE_TYPES, name="state_type", create_type=False), nullable=False),
        sa.Column("timestamp", sa.TIMESTAMP(timezone=True), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("data", postgresql.JSONB(), nullable=True),
        sa.Column("task_run_id", postgresql.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_run_id"], ["task_run.id"], name="fk_task_run_state__task_run_id__task_run", ondelete="CASCADE"
        ),
    )
    op.create_foreign_key(
        "fk_task_run__state_id__task_run_state", "task_run", "task_run_state", ["state_id"], ["id"], ondelete="SET NULL"
    )


def downgrade():
    op.drop_constraint("fk_task_run__state_id__task_run_state", "task_run")
    op.drop_constraint("fk_flow_run__state_id__flow_run_state", "flow_run")
    for table in ("task_run_state", "task_run", "flow_run_state", "flow_run", "deployment", "work_queue", "flow"):
        op.drop_table(table)
    sa.Enum(name="state_type").drop(op.get_bind())
