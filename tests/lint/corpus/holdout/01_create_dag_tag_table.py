"""Add dag_tag table

Revision ID: 7e6a4b1c2d90
Revises: 03bc53e68815
Create Date: 2024-03-11 09:14:22.481930

"""

import sqlalchemy as sa
from alembic import op

# expect: none

revision = "7e6a4b1c2d90"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dag_tag",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("dag_id", sa.String(length=250), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["dag_id"], ["dag.dag_id"], name="dag_tag_dag_id_fkey", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("name", "dag_id", name="dag_tag_pkey"),
    )
    op.create_index(op.f("ix_dag_tag_dag_id"), "dag_tag", ["dag_id"], unique=False)
    op.create_index("idx_dag_tag_name_lower", "dag_tag", [sa.text("lower(name)")], unique=False)


def downgrade():
    op.drop_index("idx_dag_tag_name_lower", table_name="dag_tag")
    op.drop_index(op.f("ix_dag_tag_dag_id"), table_name="dag_tag")
    op.drop_table("dag_tag")
