"""split customers.full_name into first_name / last_name

The new columns are added as nullable, filled from full_name (everything before
the first space is the first name, the rest is the last name), made NOT NULL,
and full_name is dropped. The downgrade joins them back together.

Revision ID: 0006_split_customer_name
Revises: 0005_rename_customer_name
Create Date: 2025-03-18 10:03:29.774310

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0006_split_customer_name'
down_revision: Union[str, Sequence[str], None] = '0005_rename_customer_name'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# For `migsafe revert`: full_name comes back NOT NULL; customers added after this migration
# only have first and last names (the kept full_name of the others is restored as it was).
migsafe_revert_fill = {'customers.full_name': "trim(first_name || ' ' || last_name)"}


def _space_position() -> str:
    # SQLite has instr(), PostgreSQL has strpos(); both have substr() and trim().
    if op.get_context().dialect.name == 'sqlite':
        return "instr(full_name, ' ')"
    return "strpos(full_name, ' ')"


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_name', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('last_name', sa.String(length=100), nullable=True))

    pos = _space_position()
    op.execute(
        f"""
        UPDATE customers SET
            first_name = CASE WHEN {pos} > 0
                THEN substr(full_name, 1, {pos} - 1) ELSE full_name END,
            last_name = CASE WHEN {pos} > 0
                THEN trim(substr(full_name, {pos} + 1)) ELSE '' END
        """
    )

    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.alter_column('first_name', existing_type=sa.String(length=100), nullable=False)
        batch_op.alter_column('last_name', existing_type=sa.String(length=100), nullable=False)
        batch_op.drop_column('full_name')


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('full_name', sa.String(length=200), nullable=True))

    op.execute("UPDATE customers SET full_name = trim(first_name || ' ' || last_name)")

    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.alter_column('full_name', existing_type=sa.String(length=200), nullable=False)
        batch_op.drop_column('last_name')
        batch_op.drop_column('first_name')
