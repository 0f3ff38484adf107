"""add trace tables

Revision ID: 867495a8f9d4
Revises: 0584bdc529eb
Create Date: 2024-04-27 12:29:25.178685

Reduced: the ORM models' __tablename__ and SqlTraceInfo.request_id are inlined.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '867495a8f9d4'
down_revision = '0584bdc529eb'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "trace_info",
        sa.Column("request_id", sa.String(length=50), primary_key=True, nullable=False),
        sa.Column(
            "experiment_id",
            sa.Integer(),
            sa.ForeignKey(
                column="experiments.experiment_id",
                name="fk_trace_info_experiment_id",
            ),
            nullable=False,
        ),
        sa.Column("timestamp_ms", sa.BigInteger(), nullable=False),
        sa.Column("execution_time_ms", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=50), nullable=False),
        sa.PrimaryKeyConstraint("request_id", name="trace_info_pk"),
        sa.Index("index_trace_info_experiment_id_timestamp_ms", "experiment_id", "timestamp_ms"),
    )
    op.create_table(
        "trace_tags",
        sa.Column("key", sa.String(length=250), primary_key=True, nullable=False),
        sa.Column("value", sa.String(length=8000), nullable=False),
        sa.Column(
            "request_id",
            sa.String(length=50),
            sa.ForeignKey(
                column="trace_info.request_id",
                name="fk_trace_tags_request_id",
            ),
            nullable=False,
            primary_key=True,
        ),
        sa.PrimaryKeyConstraint("key", "request_id", name="trace_tag_pk"),
        sa.Index("index_trace_tags_request_id", "request_id"),
    )
    op.create_table(
        "trace_request_metadata",
        sa.Column("key", sa.String(length=250), primary_key=True, nullable=False),
        sa.Column("value", sa.String(length=8000), nullable=False),
        sa.Column(
            "request_id",
            sa.String(length=50),
            sa.ForeignKey(
                column="trace_info.request_id",
                name="fk_trace_request_metadata_request_id",
            ),
            nullable=False,
            primary_key=True,
        ),
        sa.PrimaryKeyConstraint("key", "request_id", name="trace_request_metadata_pk"),
        sa.Index("index_trace_request_metadata_request_id", "request_id"),
    )


def downgrade():
    pass
