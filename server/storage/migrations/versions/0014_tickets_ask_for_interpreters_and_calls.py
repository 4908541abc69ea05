"""tickets: an interpreter asked for, and how the patient is called

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 14:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

_COLUMNS = ('interpreter', 'may_not_hear', 'may_not_see')


def upgrade() -> None:
    # As in 0003: sa.false() for PostgreSQL; recreate='never' so SQLite adds the columns
    # in place (copying the table fails once other tables point at tickets).
    with op.batch_alter_table('tickets', schema=None, recreate='never') as batch_op:
        for name in _COLUMNS:
            batch_op.add_column(
                sa.Column(name, sa.Boolean(), server_default=sa.false(), nullable=False)
            )


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None, recreate='never') as batch_op:
        for name in reversed(_COLUMNS):
            batch_op.drop_column(name)
