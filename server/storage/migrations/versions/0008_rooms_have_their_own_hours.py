"""rooms have their own hours

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 14:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # recreate='never', as in 0003: a nullable column is added in place on SQLite.
    with op.batch_alter_table('rooms', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('hours', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('rooms', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('hours')
