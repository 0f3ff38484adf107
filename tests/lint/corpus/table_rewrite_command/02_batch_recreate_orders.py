"""Change orders.note to text

Revision ID: 2d835ce59a41
Revises:
Create Date: 2026-06-26 17:41:00.000000

"""
from alembic import op
import sqlalchemy as sa

# expect: table-rewrite-command

# revision identifiers, used by Alembic.
revision = "2d835ce59a41"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    orders = sa.Table(
        "orders",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=200)),
    )
    # recreate="always" is SQLite's "move and copy": on PostgreSQL it copies the whole table.
    with op.batch_alter_table("orders", recreate="always", copy_from=orders) as batch_op:
        batch_op.alter_column("note", existing_type=sa.String(length=200), type_=sa.Text())


def downgrade():
    orders = sa.Table(
        "orders",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text()),
    )
    with op.batch_alter_table("orders", recreate="always", copy_from=orders) as batch_op:
        batch_op.alter_column("note", existing_type=sa.Text(), type_=sa.String(length=200))
