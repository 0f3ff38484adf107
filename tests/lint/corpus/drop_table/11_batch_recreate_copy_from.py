"""Make tags.label NOT NULL (batch recreate)

Revision ID: c2dbe75af787
Revises:
Create Date: 2026-11-02 10:14:03.512204

"""
from alembic import op
import sqlalchemy as sa

# expect: table-rewrite-command

# revision identifiers, used by Alembic.
revision = "c2dbe75af787"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    tags = sa.Table(
        "tags",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("label", sa.String(50)),
    )
    with op.batch_alter_table("tags", copy_from=tags, recreate="always") as batch_op:
        batch_op.alter_column("label", existing_type=sa.String(50), nullable=False)


def downgrade():
    op.alter_column("tags", "label", existing_type=sa.String(50), nullable=True)
