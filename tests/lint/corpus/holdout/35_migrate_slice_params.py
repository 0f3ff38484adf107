"""Migrate line chart params: rename 'metrics' to 'metric_list'

Revision ID: 3b5d7f9a1c46
Revises: 0c2e4a6b8d13
Create Date: 2022-08-16 18:31:40.752064

"""

import json

import sqlalchemy as sa
from alembic import op

# expect: row-by-row-data-migration

revision = "3b5d7f9a1c46"
down_revision = None
branch_labels = None
depends_on = None

slices = sa.table(
    "slices",
    sa.column("id", sa.Integer),
    sa.column("viz_type", sa.String),
    sa.column("params", sa.Text),
)


def _rename_key(old, new):
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(slices.c.id, slices.c.params).where(slices.c.viz_type == "line")
    ).fetchall()
    for row in rows:
        params = json.loads(row.params or "{}")
        if old not in params:
            continue
        params[new] = params.pop(old)
        conn.execute(
            slices.update()
            .where(slices.c.id == row.id)
            .values(params=json.dumps(params, sort_keys=True))
        )


def upgrade():
    _rename_key("metrics", "metric_list")


def downgrade():
    _rename_key("metric_list", "metrics")
